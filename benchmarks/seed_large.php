<?php
/**
 * Seeds a sandbox with a large "23 Things" CPD blog for benchmarks/pull_rest.py.
 *
 *     php seed_large.php FIRST COUNT COMMENTS_PER_POST
 *
 * Inserts posts FIRST .. FIRST+COUNT-1 (a few paragraphs each, categories and tags, a few
 * drafts, private and pending posts) and COMMENTS_PER_POST comments on each (some threaded,
 * some held, the odd spam comment and pingback). Run it in chunks: the sandbox stops any PHP
 * run after 300 s. Prints a JSON summary. Deterministic for a given FIRST.
 *
 * Counting and cache invalidation are deferred and each chunk is one transaction: the
 * per-row work WordPress does otherwise (recounting a term or a post's comments on every
 * insert) is most of the time an ordinary insert loop spends.
 */

require getenv('WPCPD_WP_BOOTSTRAP');

const THINGS = [
    'Blogging', 'RSS feeds', 'Twitter', 'Flickr', 'Creative Commons', 'Evernote',
    'Google Drive', 'Doodle', 'Podcasts', 'YouTube', 'LinkedIn', 'Wikipedia', 'Mendeley',
    'Slideshare', 'Prezi', 'Mind maps', 'Screencasting', 'Pinterest', 'Storify', 'Zotero',
    'Online networks', 'Reflective practice', 'Looking back',
];
const PARAGRAPHS = [
    'This week\'s thing took longer than I expected, mostly because I kept wandering off to see how colleagues in other libraries were using it.',
    'I can see a use for this at the enquiry desk, where we are often asked for the same handful of resources and lose time finding them again.',
    'The hardest part was not the tool itself but deciding what I wanted it <em>for</em>; once I had a purpose the settings made sense.',
    'Reading other participants\' posts helped: several had hit the same problem with privacy settings and one had a neat <a href="https://example.org/workaround">workaround</a>.',
    'I am still not convinced this belongs in my working week, but I will give it a month and note down each time it saves me effort.',
    'Our team meeting on Tuesday turned into a short demonstration, which was a good test of whether I had really understood it.',
    'There is a tension between sharing openly and keeping professional boundaries, and I want to think about it more before recommending this to students.',
    'A small win: I set up a shared list for the reading group and three people added to it before the end of the day.',
    'Accessibility is worth checking early; the default settings produced images without alternative text, which I fixed by hand.',
    'Looking back at my first posts I notice I write more confidently now, and spend less time worrying about who will read this.',
];
const HEADINGS = ['What did I do?', 'What did I learn?', 'How will I use it?', 'Next steps'];
const COMMENT_TEXTS = [
    'Great post, thank you for sharing. I had exactly the same trouble with the settings!',
    'I hadn\'t thought of using it at the enquiry desk -- that is a really good idea.',
    'Thanks for the link, the workaround saved me an hour this morning.',
    'I agree about the boundaries. We are discussing this in our team too.',
    'Have you tried the desktop version? I found it much easier than the web one.',
    'Lovely reflection. The bit about writing more confidently rings true for me.',
    'Could you say more about how the reading group used the shared list?',
    'Same here: a month\'s trial is a sensible way to decide.',
];
const CATEGORIES = [
    ['23 Things', '23-things', ''], ['Tools', 'tools', '23-things'],
    ['Social media', 'social-media', 'tools'], ['Reflections', 'reflections', ''],
    ['Teaching', 'teaching', ''], ['Research support', 'research-support', ''],
];
const TAG_COUNT = 40;

require_once __DIR__ . '/../tests/wordpress/seed_common.php';

/** Category ids by slug, created on the first run and found again on later ones. */
function seed_categories(): array
{
    $ids = [];
    foreach (CATEGORIES as [$name, $slug, $parent]) {
        $found = get_term_by('slug', $slug, 'category');
        $ids[$slug] = $found ? (int) $found->term_id : (int) seed_ok(wp_insert_term(
            $name, 'category', ['slug' => $slug, 'parent' => $parent ? $ids[$parent] : 0]
        ), "category $slug")['term_id'];
    }
    return array_values($ids);
}

function seed_tags(): array
{
    $tags = [];
    for ($i = 0; $i < TAG_COUNT; $i++) {
        $tags[] = THINGS[$i % count(THINGS)] . ($i >= count(THINGS) ? ' tips' : '');
    }
    return $tags;
}

function seed_content(int $n): string
{
    $html = '';
    foreach (HEADINGS as $h => $heading) {
        $html .= "<!-- wp:heading -->\n<h2>$heading</h2>\n<!-- /wp:heading -->\n\n";
        $html .= "<!-- wp:paragraph -->\n<p>" . PARAGRAPHS[($n + $h * 3) % count(PARAGRAPHS)]
            . ' ' . PARAGRAPHS[($n * 7 + $h) % count(PARAGRAPHS)] . "</p>\n<!-- /wp:paragraph -->\n\n";
    }
    return $html . "<!-- wp:paragraph -->\n<p><strong>Action:</strong> post $n's follow-up "
        . "is to share one finding with the team.</p>\n<!-- /wp:paragraph -->";
}

function seed_status(int $n): string
{
    if ($n % 97 === 0) {
        return 'draft';
    }
    if ($n % 131 === 0) {
        return 'private';
    }
    return $n % 151 === 0 ? 'pending' : 'publish';
}

function seed_post(int $n, array $categories, array $tags): array
{
    $thing = THINGS[$n % count(THINGS)];
    $date = gmdate('Y-m-d H:i:s', strtotime('2014-01-06 09:00:00') + $n * 86400 / 2);
    $id = (int) seed_ok(wp_insert_post(wp_slash([
        'post_title' => sprintf('Thing %d: %s (week %d)', $n % 23 + 1, $thing, intdiv($n, 23) + 1),
        'post_content' => seed_content($n),
        'post_excerpt' => "Reflecting on $thing.",
        'post_status' => seed_status($n),
        'post_date' => $date,
        'post_author' => 1,
        'post_category' => [$categories[$n % count($categories)], $categories[($n + 3) % count($categories)]],
        'tags_input' => [$tags[$n % count($tags)], $tags[($n * 7) % count($tags)]],
    ]), true), "post $n");
    return [$id, $date];
}

function seed_comments(int $post_id, string $post_date, int $n, int $per_post): array
{
    $ids = [];
    $counts = ['1' => 0, '0' => 0, 'spam' => 0, 'pingback' => 0];
    for ($c = 0; $c < $per_post; $c++) {
        $k = $n * $per_post + $c;
        // Every third comment answers the one before: threads two and three levels deep.
        $parent = ($c % 3 !== 0 && $ids) ? $ids[count($ids) - 1] : 0;
        $approved = $k % 23 === 0 ? '0' : ($k % 89 === 0 ? 'spam' : '1');
        $pingback = $k % 211 === 0;
        $ids[] = (int) seed_ok(wp_insert_comment(wp_slash([
            'comment_post_ID' => $post_id,
            'comment_author' => $pingback ? 'Another CPD blog' : "Participant " . ($k % 300),
            'comment_author_email' => $pingback ? '' : 'participant' . ($k % 300) . '@example.org',
            'comment_author_url' => $pingback ? 'https://blog.example.net/thing/' : '',
            'comment_author_IP' => '192.0.2.' . ($k % 250 + 1),
            'comment_content' => COMMENT_TEXTS[$k % count(COMMENT_TEXTS)],
            'comment_date' => gmdate('Y-m-d H:i:s', strtotime($post_date) + 3600 * ($c + 1)),
            'comment_date_gmt' => gmdate('Y-m-d H:i:s', strtotime($post_date) + 3600 * ($c + 1)),
            'comment_approved' => $approved,
            'comment_type' => $pingback ? 'pingback' : 'comment',
            'comment_parent' => $pingback ? 0 : $parent,
        ])), "comment $k");
        $counts[$pingback ? 'pingback' : $approved]++;
    }
    return $counts;
}

[$first, $count, $per_post] = array_map('intval', array_slice($argv, 1, 3));
if ($count <= 0) {
    seed_fail('usage: seed_large.php FIRST COUNT COMMENTS_PER_POST');
}

global $wpdb;
wp_defer_term_counting(true);
wp_defer_comment_counting(true);
wp_suspend_cache_invalidation(true);
$wpdb->query('START TRANSACTION');

$categories = seed_categories();
$tags = seed_tags();
$totals = ['posts' => 0, 'comments' => 0, 'held' => 0, 'spam' => 0, 'pingbacks' => 0];
for ($n = $first; $n < $first + $count; $n++) {
    [$post_id, $date] = seed_post($n, $categories, $tags);
    $counts = seed_comments($post_id, $date, $n, $per_post);
    $totals['posts']++;
    $totals['comments'] += $per_post;
    $totals['held'] += $counts['0'];
    $totals['spam'] += $counts['spam'];
    $totals['pingbacks'] += $counts['pingback'];
}

// Undeferring recounts the terms and posts touched above, once each.
wp_defer_term_counting(false);
wp_defer_comment_counting(false);
wp_suspend_cache_invalidation(false);
$wpdb->query('COMMIT');
echo json_encode($totals);
