"""The commands, one module per group; wpcpd.cli.app registers them, in the order help lists."""
