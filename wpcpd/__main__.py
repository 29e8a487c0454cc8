from wpcpd.cli import app

app(prog_name="wpcpd")
