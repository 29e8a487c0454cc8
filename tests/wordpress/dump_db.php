<?php
/**
 * Prints, as JSON, what the sandbox's database holds, so tests can compare an archive
 * against the source of truth rather than against WordPress's own renderings.
 *
 * Values are raw as stored: dates 'Y-m-d H:i:s' (drafts keep '0000-00-00 00:00:00'),
 * meta values still PHP-serialised, content unfiltered. Only id-like columns become
 * integers. Every row of wp_posts is included, whatever its post_type (revisions,
 * nav_menu_item, auto-drafts too) - filter on post_type/post_status in the test.
 * Lists are ordered by id; meta values of one key keep their insertion (meta_id) order.
 *
 * Run through the sandbox: WordPressSandbox.php_file('dump_db.php') or .dump_db().
 */

require getenv('WPCPD_WP_BOOTSTRAP');

const DUMP_INT_COLUMNS = [
    'ID', 'post_author', 'post_parent', 'menu_order', 'comment_count',
    'comment_ID', 'comment_post_ID', 'comment_karma', 'comment_parent', 'user_id',
];

function dump_ints(array $row): array
{
    foreach (DUMP_INT_COLUMNS as $column) {
        if (array_key_exists($column, $row)) {
            $row[$column] = (int) $row[$column];
        }
    }
    return $row;
}

/** [object id => [meta_key => [raw values]]] read straight from a meta table. */
function dump_meta(string $table, string $id_column, string $key_column): array
{
    global $wpdb;
    $rows = $wpdb->get_results(
        "SELECT $id_column AS object_id, meta_key, meta_value FROM $table ORDER BY $key_column",
        ARRAY_A
    );
    $meta = [];
    foreach ($rows as $row) {
        $meta[(int) $row['object_id']][$row['meta_key']][] = $row['meta_value'];
    }
    return $meta;
}

/** Objects (not []) for empty maps, so a post without meta still dumps as {}. */
function dump_map(array $map): object
{
    return (object) $map;
}

function dump_post_terms(int $post_id): array
{
    $terms = wp_get_object_terms($post_id, get_taxonomies(), ['orderby' => 'term_id']);
    if (is_wp_error($terms)) {
        fwrite(STDERR, 'Fatal error: ' . $terms->get_error_message() . "\n");
        exit(1);
    }
    $out = [];
    foreach ($terms as $term) {
        $out[] = ['taxonomy' => $term->taxonomy, 'slug' => $term->slug, 'name' => $term->name];
    }
    usort($out, fn ($a, $b) => [$a['taxonomy'], $a['slug']] <=> [$b['taxonomy'], $b['slug']]);
    return $out;
}

function dump_posts(): array
{
    global $wpdb;
    $meta = dump_meta($wpdb->postmeta, 'post_id', 'meta_id');
    $posts = [];
    foreach ($wpdb->get_results("SELECT * FROM $wpdb->posts ORDER BY ID", ARRAY_A) as $row) {
        $row = dump_ints($row);
        $row['terms'] = dump_post_terms($row['ID']);
        $row['meta'] = dump_map($meta[$row['ID']] ?? []);
        $posts[] = $row;
    }
    return $posts;
}

function dump_comments(): array
{
    global $wpdb;
    $meta = dump_meta($wpdb->commentmeta, 'comment_id', 'meta_id');
    $comments = [];
    $rows = $wpdb->get_results("SELECT * FROM $wpdb->comments ORDER BY comment_ID", ARRAY_A);
    foreach ($rows as $row) {
        $row = dump_ints($row);
        $row['meta'] = dump_map($meta[$row['comment_ID']] ?? []);
        $comments[] = $row;
    }
    return $comments;
}

function dump_users(): array
{
    $users = [];
    foreach (get_users(['orderby' => 'ID', 'order' => 'ASC']) as $user) {
        $users[] = [
            'ID' => (int) $user->ID,
            'user_login' => $user->user_login,
            'user_email' => $user->user_email,
            'user_nicename' => $user->user_nicename,
            'user_url' => $user->user_url,
            'display_name' => $user->display_name,
            'first_name' => get_user_meta($user->ID, 'first_name', true),
            'last_name' => get_user_meta($user->ID, 'last_name', true),
            'roles' => array_values($user->roles),
        ];
    }
    return $users;
}

function dump_terms(): array
{
    global $wpdb;
    $rows = $wpdb->get_results(
        "SELECT t.term_id, t.name, t.slug, tt.term_taxonomy_id, tt.taxonomy, tt.description,
                tt.count, parent.slug AS parent_slug
         FROM $wpdb->terms t
         JOIN $wpdb->term_taxonomy tt ON tt.term_id = t.term_id
         LEFT JOIN $wpdb->terms parent ON parent.term_id = tt.parent AND tt.parent <> 0
         ORDER BY t.term_id, tt.taxonomy",
        ARRAY_A
    );
    $terms = [];
    foreach ($rows as $row) {
        $terms[] = [
            'term_id' => (int) $row['term_id'],
            'term_taxonomy_id' => (int) $row['term_taxonomy_id'],
            'taxonomy' => $row['taxonomy'],
            'slug' => $row['slug'],
            'name' => $row['name'],
            'description' => $row['description'],
            'parent' => $row['parent_slug'],
            'count' => (int) $row['count'],
        ];
    }
    return $terms;
}

$json = json_encode([
    'site' => [
        'home' => home_url(),
        'name' => get_option('blogname'),
        'description' => get_option('blogdescription'),
        'permalink_structure' => get_option('permalink_structure'),
        'timezone_string' => get_option('timezone_string'),
        'wp_version' => get_bloginfo('version'),
    ],
    'posts' => dump_posts(),
    'sticky_posts' => array_map('intval', get_option('sticky_posts', [])),
    'comments' => dump_comments(),
    'users' => dump_users(),
    'terms' => dump_terms(),
], JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
if ($json === false) {
    fwrite(STDERR, 'Fatal error: json_encode: ' . json_last_error_msg() . "\n");
    exit(1);
}
echo $json, "\n";
