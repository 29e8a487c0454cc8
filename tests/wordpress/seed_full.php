<?php
/**
 * Seeds a fresh sandbox with every kind of content an archiver has to cope with, written
 * as a "23 Things" CPD blog. Prints a JSON summary of the ids it created.
 *
 * Run through the sandbox: WordPressSandbox.php_file('seed_full.php') or .seed_full().
 * Ids are deterministic on a fresh sandbox. Not deterministic: the scheduled post's date
 * (a year from now), trash timestamps, GUIDs (they contain the sandbox's port) and the
 * default content wp_install() created.
 *
 * WordPress's insert functions unslash their input, so everything goes through wp_slash():
 * otherwise backslashes in content and meta would silently disappear.
 */

require getenv('WPCPD_WP_BOOTSTRAP');
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/post.php';

require_once __DIR__ . '/seed_common.php';

function seed_post(array $args): int
{
    $args += [
        'post_type' => 'post',
        'post_status' => 'publish',
        'post_author' => 1,
        'comment_status' => 'open',
        'ping_status' => 'open',
    ];
    return (int) seed_ok(wp_insert_post(wp_slash($args), true), "post {$args['post_title']}");
}

function seed_term(string $name, string $taxonomy, array $args = []): int
{
    $term = seed_ok(wp_insert_term(wp_slash($name), $taxonomy, wp_slash($args)), "term $name");
    return (int) $term['term_id'];
}

/** Dates are site-local (Europe/London); the GMT column is derived, as the editor does. */
function seed_comment(int $post_id, array $args): int
{
    $args += [
        'comment_post_ID' => $post_id,
        'comment_author_IP' => '192.0.2.10',
        'comment_agent' => 'Mozilla/5.0 (X11; Linux x86_64) wpcpd-seed',
        'comment_approved' => 1,
        'comment_type' => 'comment',
        'comment_parent' => 0,
        'user_id' => 0,
    ];
    $args['comment_date_gmt'] = get_gmt_from_date($args['comment_date']);
    return (int) seed_ok(wp_insert_comment(wp_slash($args)), "comment on $post_id");
}

/** A 1x1 transparent PNG, small enough to keep inline. */
const SEED_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/**
 * Registered by a must-use plugin so that web requests, the exporter and dump_db.php
 * (separate PHP processes) all know the taxonomy, as they would with a real plugin.
 */
function seed_custom_taxonomy(): void
{
    $plugin = <<<'PHP'
<?php
// Written by wpcpd's tests/wordpress/seed_full.php: a custom taxonomy, as plugins add.
function wpcpd_register_cpd_skill() {
    register_taxonomy('cpd_skill', ['post'], [
        'label' => 'CPD skills',
        'public' => true,
        'hierarchical' => false,
        'show_in_rest' => true,
        'rewrite' => ['slug' => 'skill'],
    ]);
}
add_action('init', 'wpcpd_register_cpd_skill');
PHP;
    wp_mkdir_p(WPMU_PLUGIN_DIR);
    $file = WPMU_PLUGIN_DIR . '/wpcpd-cpd-skill.php';
    if (file_put_contents($file, $plugin) === false) {
        seed_fail("cannot write $file");
    }
    require_once $file;
    wpcpd_register_cpd_skill();
    // As a plugin does on activation: otherwise /skill/writing/ is a 404 until a flush.
    flush_rewrite_rules(false);
}

if (get_option('wpcpd_seed_version')) {
    seed_fail('this site is already seeded');
}

// Local time differs from GMT in summer, so post_date and post_date_gmt can be told apart.
update_option('timezone_string', 'Europe/London');
update_option('gmt_offset', '');
update_option('blogdescription', 'Reflections on the 23 Things programme');
seed_custom_taxonomy();

// ---- users ------------------------------------------------------------------------------

$editor_id = (int) seed_ok(wp_insert_user(wp_slash([
    'user_login' => 'editor',
    'user_email' => 'editor@example.org',
    'user_pass' => 'editor-sandbox-password',
    'user_url' => 'https://editor.example.org',
    'first_name' => 'Siân',
    'last_name' => "O'Brien",
    'display_name' => "Siân O'Brien",
    'nickname' => 'sian',
    'role' => 'editor',
])), 'user editor');

// ---- terms ------------------------------------------------------------------------------

$cat_things = seed_term('23 Things', 'category', [
    'slug' => '23-things',
    'description' => 'Posts written for the 23 Things programme.',
]);
$cat_tools = seed_term('Tools', 'category', [
    'slug' => 'tools',
    'parent' => $cat_things,
    'description' => 'Things about a particular tool.',
]);
$cat_blogging = seed_term('Blogging tools', 'category', [
    'slug' => 'blogging-tools',
    'parent' => $cat_tools,
    'description' => 'Blogs, feeds & readers — the <em>writing</em> side.',
]);
$cat_reflections = seed_term('Reflections', 'category', [
    'slug' => 'reflections',
    'description' => 'General reflective writing.',
]);
$tag_reflection = seed_term('reflection', 'post_tag');
$tag_cpd = seed_term('CPD', 'post_tag', ['slug' => 'cpd']);
$tag_social = seed_term('social media', 'post_tag');
$tag_learning_zh = seed_term('学习', 'post_tag');
$skill_writing = seed_term('Writing', 'cpd_skill', ['description' => 'Writing for an audience.']);
$skill_digital = seed_term('Digital literacy', 'cpd_skill');

// ---- posts ------------------------------------------------------------------------------

$thing1_content = <<<'HTML'
<p>This week's thing was to set up a blog for the <strong>23 Things</strong> programme and write a first reflective post.</p>
<h2>What did I do?</h2>
<p>I created this blog, chose a theme and wrote an <em>About</em> page.</p>
<h2>What did I learn?</h2>
<ul>
<li>Blogging platforms differ in how they handle <strong>comments</strong>.</li>
<li>Categories and tags do different jobs.</li>
<li>Writing in public feels uncomfortable at first -- and that's fine.</li>
</ul>
<blockquote><p>Reflection is the process of learning from experience.</p></blockquote>
<h2>How will I use it?</h2>
<ol>
<li>Post once a week.</li>
<li>Comment on two other participants' blogs.</li>
</ol>
<h3>Action</h3>
<p><strong>Action:</strong> read three other participants' first posts and leave a comment on each.</p>
HTML;

$thing1 = seed_post([
    'post_title' => 'Thing 1: Blogging',
    'post_name' => 'thing-1-blogging',
    'post_date' => '2023-01-09 10:00:00',
    'post_excerpt' => 'Setting up a reflective blog, and why it felt awkward.',
    'post_content' => $thing1_content,
    'post_category' => [$cat_blogging, $cat_reflections],
    'tags_input' => ['reflection', 'CPD'],
]);
wp_set_object_terms($thing1, [$skill_writing], 'cpd_skill');

// Block-editor markup, as every post written since WordPress 5.0 has.
$thing2_content = <<<'HTML'
<!-- wp:paragraph -->
<p>Thing 2 asked us to subscribe to <strong>five feeds</strong> in a feed reader.</p>
<!-- /wp:paragraph -->

<!-- wp:heading -->
<h2>What did I learn?</h2>
<!-- /wp:heading -->

<!-- wp:list -->
<ul><li>Most blogs publish a feed at <code>/feed/</code>.</li><li>A reader saves hours of checking sites.</li></ul>
<!-- /wp:list -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><p>Let the news come to you.</p></blockquote>
<!-- /wp:quote -->

<!-- wp:paragraph -->
<p><strong>Action:</strong> prune the feeds I never read after a month.</p>
<!-- /wp:paragraph -->
HTML;

$thing2 = seed_post([
    'post_title' => 'Thing 2: RSS feeds',
    'post_date' => '2023-01-16 10:00:00',
    'post_author' => $editor_id,
    'post_content' => $thing2_content,
    'post_category' => [$cat_blogging],
    'tags_input' => ['CPD', 'social media'],
]);
wp_set_object_terms($thing2, [$skill_digital], 'cpd_skill');
stick_post($thing2);

// Classic-editor text: paragraphs are blank lines, turned into <p> only on display.
$thing7_content = <<<'HTML'
A week of <strong>international</strong> reflection ✨ 🎉

我们的小组用中文讨论了反思性实践。 (Our group discussed reflective practice in Chinese.)

قال أحد المشاركين: التعلم رحلة لا تنتهي. (One participant said: learning is a journey that never ends.)

<h2>What did I learn?</h2>
Réflexion, “curly quotes”, ‘single ones’ and an em dash — all survive the round trip.

<strong>Action:</strong> write next week's post in two languages.
HTML;

$thing7 = seed_post([
    'post_title' => 'Réflexion — “Thing 7” ✨ 🎉',
    'post_name' => 'thing-7-reflexion',
    'post_date' => '2023-06-12 14:30:00',
    'post_content' => $thing7_content,
    'post_category' => [$cat_reflections],
    'tags_input' => ['reflection', '学习'],
]);

// ']]>' ends a CDATA section: the exporter has to split it. A backslash checks slashing.
$thing8_content = <<<'HTML'
<p>Embedding a script safely uses a CDATA wrapper:</p>
<pre><code>&lt;script&gt;//&lt;![CDATA[ ... //]]&gt;&lt;/script&gt;</code></pre>
<p>Raw in the text as well: ]]> and again ]]]]> before the end.</p>
<script type="text/javascript">//<![CDATA[
var thing = 8;
//]]></script>
<p>My notes live in C:\Users\cpd\notes.txt for now.</p>
<p><strong>Action:</strong> never paste code straight from a PDF.</p>
HTML;

$thing8 = seed_post([
    'post_title' => 'Thing 8: Embedding code (and the ]]> trap)',
    'post_date' => '2023-06-19 09:00:00',
    'post_content' => $thing8_content,
    'post_category' => [$cat_tools],
]);

$draft = seed_post([
    'post_title' => 'Thing 9: Podcasts',
    'post_status' => 'draft',
    'post_date' => '2023-07-03 09:00:00',
    'post_content' => "<h2>What did I do?</h2>\n<p>Half-written notes on podcasts.</p>",
    'post_category' => [$cat_things],
]);

$pending = seed_post([
    'post_title' => 'Thing 10: Wikis',
    'post_status' => 'pending',
    'post_author' => $editor_id,
    'post_date' => '2023-07-10 09:00:00',
    'post_content' => '<p>Waiting for review: our team wiki.</p>',
    'post_category' => [$cat_tools],
]);

$private = seed_post([
    'post_title' => 'Thing 11: Reflecting in private',
    'post_status' => 'private',
    'post_date' => '2023-07-17 09:00:00',
    'post_content' => '<p>Only for me: what went badly this month.</p>',
    'post_category' => [$cat_reflections],
]);

$future = seed_post([
    'post_title' => 'Thing 23: Looking back',
    'post_status' => 'future',
    'post_date' => wp_date('Y-m-d 09:00:00', strtotime('+1 year')),
    'post_content' => '<p>Scheduled: a look back at all 23 things.</p>',
    'post_category' => [$cat_things],
]);

$protected = seed_post([
    'post_title' => 'Thing 12: Password-protected reflection',
    'post_date' => '2023-07-24 09:00:00',
    'post_password' => 'cpd23',
    'post_content' => '<p>Behind a password: feedback from my manager.</p>',
    'post_category' => [$cat_reflections],
]);

$trashed = seed_post([
    'post_title' => 'Thing 13: Discarded notes',
    'post_date' => '2023-07-31 09:00:00',
    'post_content' => '<p>Notes I decided not to publish after all.</p>',
    'post_category' => [$cat_things],
]);
seed_ok(wp_trash_post($trashed), 'trash post');

// ---- pages ------------------------------------------------------------------------------

$about = seed_post([
    'post_type' => 'page',
    'post_title' => 'About 23 Things',
    'post_name' => 'about-23-things',
    'post_date' => '2023-01-02 09:00:00',
    'menu_order' => 1,
    'comment_status' => 'closed',
    'post_content' => '<p>23 Things is a self-paced programme of <strong>continuing professional development</strong>.</p>',
]);
$programme = seed_post([
    'post_type' => 'page',
    'post_title' => 'The programme',
    'post_parent' => $about,
    'post_date' => '2023-01-02 09:05:00',
    'menu_order' => 2,
    'comment_status' => 'closed',
    'post_content' => "<h2>Weeks 1–4</h2>\n<ul>\n<li>Thing 1: Blogging</li>\n<li>Thing 2: RSS feeds</li>\n</ul>",
]);
$certificate = seed_post([
    'post_type' => 'page',
    'post_title' => 'Certificate',
    'post_parent' => $about,
    'post_date' => '2023-01-02 09:10:00',
    'menu_order' => 3,
    'comment_status' => 'closed',
    'post_content' => '<p>Finish all 23 things to earn the certificate.</p>',
]);

// ---- attachment -------------------------------------------------------------------------

$uploads = wp_upload_dir('2023/01');
if (!empty($uploads['error'])) {
    seed_fail($uploads['error']);
}
$png_path = $uploads['path'] . '/thing-1-badge.png';
file_put_contents($png_path, base64_decode(SEED_PNG));
$attachment = (int) seed_ok(wp_insert_attachment(wp_slash([
    'post_title' => 'Thing 1 badge',
    'post_name' => 'thing-1-badge',
    'post_date' => '2023-01-09 09:55:00',
    'post_mime_type' => 'image/png',
    'post_content' => 'A badge for completing Thing 1.',
    'post_excerpt' => 'The Thing 1 badge',
    'guid' => $uploads['url'] . '/thing-1-badge.png',
    'post_status' => 'inherit',
]), $png_path, $thing1, true), 'attachment');
wp_update_attachment_metadata($attachment, wp_generate_attachment_metadata($attachment, $png_path));
update_post_meta($attachment, '_wp_attachment_image_alt', 'A green “Thing 1” badge');
set_post_thumbnail($thing1, $attachment);

// ---- post meta --------------------------------------------------------------------------

update_post_meta($thing1, 'cpd_hours', '1.5');
add_post_meta($thing1, 'cpd_link', 'https://example.org/23-things/thing-1');
add_post_meta($thing1, 'cpd_link', 'https://example.org/blogging-guide');
// Stored PHP-serialised, with multi-byte strings whose byte lengths are in the serialisation.
update_post_meta($thing1, 'cpd_evidence', wp_slash([
    'activity' => 'Set up a blog',
    'hours' => 1.5,
    'skills' => ['writing', 'réflexion'],
    'mood' => '✨',
    'path' => 'C:\\Users\\cpd',
]));
update_post_meta($thing7, 'cpd_hours', '2');

// ---- comments ---------------------------------------------------------------------------

$c_top = seed_comment($thing1, [
    'comment_author' => 'Jo Bloggs',
    'comment_author_email' => 'jo@example.org',
    'comment_author_url' => 'https://jo.example.org',
    'comment_date' => '2023-01-10 08:15:00',
    'comment_content' => "Great start! I found the <strong>theme</strong> choice the hardest part.",
]);
$admin = get_userdata(1);
$c_reply = seed_comment($thing1, [
    'comment_author' => $admin->display_name,
    'comment_author_email' => $admin->user_email,
    'comment_date' => '2023-01-10 09:00:00',
    'comment_content' => 'Thanks Jo — which themes did you try?',
    'comment_parent' => $c_top,
    'user_id' => 1,
]);
$c_reply2 = seed_comment($thing1, [
    'comment_author' => 'Jo Bloggs',
    'comment_author_email' => 'jo@example.org',
    'comment_date' => '2023-01-10 12:00:00',
    'comment_content' => "Twenty Twenty-One, then back to the default.\n\nTwo paragraphs, too.",
    'comment_parent' => $c_reply,
]);
$c_held = seed_comment($thing1, [
    'comment_author' => 'New Participant',
    'comment_author_email' => 'new@example.org',
    'comment_date' => '2023-01-11 10:00:00',
    'comment_content' => 'Could you share the link to the course page?',
    'comment_approved' => '0',
]);
$c_spam = seed_comment($thing1, [
    'comment_author' => 'Cheap Watches',
    'comment_author_email' => 'spam@example.com',
    'comment_author_url' => 'https://spam.example.com',
    'comment_author_IP' => '198.51.100.7',
    'comment_date' => '2023-01-11 11:00:00',
    'comment_content' => 'Buy cheap watches here!!!',
    'comment_approved' => 'spam',
]);
$c_trash = seed_comment($thing1, [
    'comment_author' => 'Jo Bloggs',
    'comment_author_email' => 'jo@example.org',
    'comment_date' => '2023-01-12 09:00:00',
    'comment_content' => 'Oops, posted twice.',
]);
seed_ok(wp_trash_comment($c_trash), 'trash comment');
$c_pingback = seed_comment($thing1, [
    'comment_author' => 'Another CPD blog » My Thing 1',
    'comment_author_url' => 'https://another.example.net/2023/01/my-thing-1/',
    'comment_author_email' => '',
    'comment_date' => '2023-01-13 16:20:00',
    'comment_content' => '[&#8230;] I liked how this post split the prompts into headings [&#8230;]',
    'comment_type' => 'pingback',
]);
$c_zh = seed_comment($thing7, [
    'comment_author' => '张伟',
    'comment_author_email' => 'zhang@example.cn',
    'comment_date' => '2023-06-13 08:00:00',
    'comment_content' => '很好的反思！我也在学习。',
]);
$c_ar = seed_comment($thing7, [
    'comment_author' => 'ليلى',
    'comment_author_email' => 'layla@example.org',
    'comment_date' => '2023-06-13 09:00:00',
    'comment_content' => 'تأمل رائع، شكراً لك',
    'comment_parent' => $c_zh,
]);
$c_meta = seed_comment($thing7, [
    'comment_author' => 'Émilie 🎉',
    'comment_author_email' => 'emilie@example.fr',
    'comment_date' => '2023-06-14 18:45:00',
    'comment_content' => 'Merci ! “Réflexion” is the right word ✨',
]);
add_comment_meta($c_meta, 'rating', '5');
add_comment_meta($c_meta, 'cpd_context', wp_slash(['cohort' => '2023', 'languages' => ['fr', 'en']]));

update_option('wpcpd_seed_version', '1');

// ---- summary ----------------------------------------------------------------------------

$posts = [
    'thing1' => $thing1,
    'thing2' => $thing2,
    'thing7' => $thing7,
    'thing8_cdata' => $thing8,
    'draft' => $draft,
    'pending' => $pending,
    'private' => $private,
    'future' => $future,
    'password' => $protected,
    'trashed' => $trashed,
];
$pages = ['about' => $about, 'programme' => $programme, 'certificate' => $certificate];
$titles = [];
foreach ($posts + $pages + ['attachment' => $attachment] as $key => $id) {
    $titles[$key] = get_post_field('post_title', $id, 'raw');
}
$hello = get_page_by_path('hello-world', OBJECT, 'post');
$sample = get_page_by_path('sample-page', OBJECT, 'page');

echo json_encode([
    'timezone' => get_option('timezone_string'),
    'users' => ['admin' => 1, 'editor' => $editor_id],
    'posts' => $posts,
    'pages' => $pages,
    'attachment' => $attachment,
    'featured_image' => [$thing1 => $attachment],
    'sticky' => [$thing2],
    'titles' => $titles,
    'categories' => [
        '23-things' => $cat_things,
        'tools' => $cat_tools,
        'blogging-tools' => $cat_blogging,
        'reflections' => $cat_reflections,
    ],
    'tags' => [
        'reflection' => $tag_reflection,
        'cpd' => $tag_cpd,
        'social-media' => $tag_social,
        'learning_zh' => $tag_learning_zh,
    ],
    'cpd_skill' => ['writing' => $skill_writing, 'digital-literacy' => $skill_digital],
    'comments' => [
        'top' => $c_top,
        'reply' => $c_reply,
        'reply_to_reply' => $c_reply2,
        'held' => $c_held,
        'spam' => $c_spam,
        'trash' => $c_trash,
        'pingback' => $c_pingback,
        'chinese' => $c_zh,
        'arabic_reply' => $c_ar,
        'with_meta' => $c_meta,
    ],
    'defaults' => [
        'hello_world' => $hello ? $hello->ID : null,
        'sample_page' => $sample ? $sample->ID : null,
        'privacy_policy' => (int) get_option('wp_page_for_privacy_policy') ?: null,
        'first_comment' => 1,
    ],
], JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
