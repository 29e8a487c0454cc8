<?php
/**
 * Helpers shared by the seed scripts (tests/wordpress/seed_full.php and
 * benchmarks/seed_large.php): stop loudly, on stderr, at the first failed insert.
 */

function seed_fail(string $message): void
{
    fwrite(STDERR, 'Fatal error: ' . basename($_SERVER['SCRIPT_FILENAME'] ?? 'seed') . ": $message\n");
    exit(1);
}

/** Stops on WP_Error or 0, the two ways WordPress's insert functions report failure. */
function seed_ok($result, string $what)
{
    if (is_wp_error($result)) {
        seed_fail("$what: " . $result->get_error_message());
    }
    if (!$result) {
        seed_fail("$what: failed");
    }
    return $result;
}
