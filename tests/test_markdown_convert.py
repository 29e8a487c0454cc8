"""WordPress content to Markdown (wpcpd/sinks/markdown/convert.py), checked by rendering.

The Markdown is rendered with markdown-it (CommonMark, as Eleventy uses) and, where the
generators differ, with Python-Markdown (Pelican's parser, with the extensions the starter
turns on), and the HTML structure is what is asserted: paragraphs, figures, tables, code
languages, footnotes, rewritten addresses.
"""

from __future__ import annotations

import re

import markdown as python_markdown
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from wpcpd.sinks.markdown.convert import FLAVOURS, PLAIN, Image, to_markdown

UPLOADS = "https://example.files.wordpress.com/2013/01/"
MD = MarkdownIt("commonmark").enable("table")


def render(markdown: str) -> BeautifulSoup:
    return BeautifulSoup(MD.render(markdown), "html.parser")


def render_pelican(markdown: str) -> BeautifulSoup:
    extensions = ["extra", "codehilite"]
    config = {"codehilite": {"use_pygments": False}}
    html = python_markdown.markdown(markdown, extensions=extensions, extension_configs=config)
    return BeautifulSoup(html, "html.parser")


class Media:
    """Files under UPLOADS are kept locally by their bare name; galleries are recorded."""

    def __init__(self) -> None:
        self.galleries: list[list[int] | None] = []

    def media_url(self, url: str) -> str:
        return url.removeprefix(UPLOADS) if url.startswith(UPLOADS) else url

    def gallery(self, ids: list[int] | None) -> list[Image]:
        self.galleries.append(ids)
        numbers = ids or [7, 8]
        return [Image(f"p{n}.jpg", f"picture {n}", "The <em>second</em>" if n == 2 else "")
                for n in numbers]  # fmt: skip


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text().split())


CLASSIC = f"""I finally made it to the lake this weekend. The water was <em>cold</em>
but the light was perfect.

[caption id="attachment_12" align="alignleft" width="300"]<a href="{UPLOADS}lake.jpg"><img class="size-medium wp-image-12" src="{UPLOADS}lake-300x200.jpg" alt="The lake at dawn" width="300" height="200" /></a> The lake at <strong>dawn</strong>[/caption]

Here is the route we took:
<ul>
	<li>Up the <a href="http://example.com/trail">north trail</a></li>
	<li>Down by the river</li>
</ul>
https://www.youtube.com/watch?v=dQw4w9WgXcQ

[sourcecode language="python"]
def distance(a, b):
    return abs(a - b) * 2  # km, not_miles
[/sourcecode]
<!--more-->
More next time &amp; thanks for reading!
[contact-form-7 id="41" title="Contact"]"""  # noqa: E501

BLOCKS = f"""<!-- wp:heading -->
<h2 class="wp-block-heading">A day out</h2>
<!-- /wp:heading -->

<!-- wp:paragraph -->
<p>We walked<sup data-fn="8f2c-1" class="fn"><a href="#8f2c-1" id="8f2c-1-link">1</a></sup> a long way and <u>never</u> got lost.</p>
<!-- /wp:paragraph -->

<!-- wp:image {{"id":12,"sizeSlug":"large","linkDestination":"none"}} -->
<figure class="wp-block-image size-large"><img src="{UPLOADS}hill-1024x768.jpg" alt="The hill" class="wp-image-12" srcset="{UPLOADS}hill-300x225.jpg 300w, {UPLOADS}hill-1024x768.jpg 1024w" sizes="(max-width: 1024px) 100vw, 1024px"/><figcaption class="wp-element-caption">The hill, from <a href="{UPLOADS}hill.jpg">below</a></figcaption></figure>
<!-- /wp:image -->

<!-- wp:code -->
<pre class="wp-block-code"><code class="language-python">print("a &lt; b", x_1 * 2)</code></pre>
<!-- /wp:code -->

<!-- wp:embed {{"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","type":"video","providerNameSlug":"youtube","responsive":true}} -->
<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=dQw4w9WgXcQ
</div></figure>
<!-- /wp:embed -->

<!-- wp:table -->
<figure class="wp-block-table"><table><thead><tr><th>Day</th><th>Distance</th></tr></thead><tbody><tr><td>Saturday</td><td>12 km</td></tr><tr><td>Sunday</td><td>8 | 9 km</td></tr></tbody></table><figcaption class="wp-element-caption">Our walks</figcaption></figure>
<!-- /wp:table -->

<!-- wp:more -->
<!--more-->
<!-- /wp:more -->

<!-- wp:list -->
<ul><!-- wp:list-item -->
<li>Boots</li>
<!-- /wp:list-item -->

<!-- wp:list-item -->
<li>Water</li>
<!-- /wp:list-item --></ul>
<!-- /wp:list -->

<!-- wp:footnotes -->
<ol class="wp-block-footnotes"><li id="8f2c-1">Nearly 20 km, says the <em>app</em>. <a href="#8f2c-1-link" aria-label="Jump to footnote reference 1">↩︎</a></li></ol>
<!-- /wp:footnotes -->"""  # noqa: E501


# Classic content ------------------------------------------------------------------------


def test_classic_blank_lines_are_paragraphs_and_newlines_breaks() -> None:
    content = "First line\nsecond line.\n\nAnother paragraph.\n\n\n\nA third, <b>bold</b>."
    markdown = to_markdown(content, "jekyll")
    soup = render(markdown)
    paragraphs = soup.find_all("p")
    assert [text_of(p) for p in paragraphs] == [
        "First line second line.",
        "Another paragraph.",
        "A third, bold.",
    ]
    assert paragraphs[0].find("br") is not None  # wpautop's <br>, as a hard break
    assert paragraphs[2].find("strong") is not None
    assert render_pelican(markdown).find_all("p")[0].find("br") is not None


def test_realistic_wordpress_com_classic_post() -> None:
    media = Media()
    markdown = to_markdown(CLASSIC, "eleventy", media)
    soup = render(markdown)
    assert text_of(soup.find_all("p")[0]).startswith("I finally made it")
    assert soup.find_all("p")[0].find("em") is not None
    figure = soup.find("figure")
    assert figure is not None and figure.find("img")["src"] == "lake-300x200.jpg"
    assert figure.find("img")["alt"] == "The lake at dawn"
    assert figure.find("a")["href"] == "lake.jpg"
    assert text_of(figure.find("figcaption")) == "The lake at dawn"
    assert [text_of(li) for li in soup.find_all("li")] == [
        "Up the north trail",
        "Down by the river",
    ]
    assert soup.find("a", href="http://example.com/trail") is not None
    assert soup.find("a", href="https://www.youtube.com/watch?v=dQw4w9WgXcQ") is not None
    code = soup.find("code", class_="language-python")
    assert code.get_text() == "def distance(a, b):\n    return abs(a - b) * 2  # km, not_miles\n"
    assert "\n<!--more-->\n" in markdown
    assert "More next time & thanks for reading!" in text_of(soup)
    assert '[contact-form-7 id="41" title="Contact"]' in text_of(soup)  # unknown: kept


def test_classic_hugo_uses_hugo_shortcodes() -> None:
    markdown = to_markdown(CLASSIC, "hugo", Media())
    assert (
        '{{< figure src="lake-300x200.jpg" link="lake.jpg" alt="The lake at dawn" '
        'caption="The lake at **dawn**" >}}'
    ) in markdown.splitlines()
    assert "{{< youtube dQw4w9WgXcQ >}}" in markdown.splitlines()


def test_comment_with_the_plain_context() -> None:
    comment = "Great post!\nI tried it too.\n\nOne question: does <code>x_y</code> work?"
    soup = render(to_markdown(comment, "jekyll", PLAIN))
    assert len(soup.find_all("p")) == 2
    assert soup.find("code").get_text() == "x_y"


# Block markup ---------------------------------------------------------------------------


def test_realistic_gutenberg_post() -> None:
    markdown = to_markdown(BLOCKS, "jekyll", Media())
    assert "wp:" not in markdown
    soup = render(markdown)
    assert text_of(soup.find("h2")) == "A day out"
    assert soup.find("u") is not None and "never" in text_of(soup.find("u"))
    figure = soup.find("figure")
    assert figure.find("img")["src"] == "hill-1024x768.jpg"
    assert not figure.find("img").has_attr("srcset")
    assert figure.find("figcaption").find("a")["href"] == "hill.jpg"
    assert soup.find("code", class_="language-python").get_text() == 'print("a < b", x_1 * 2)\n'
    assert soup.find("a", href="https://www.youtube.com/watch?v=dQw4w9WgXcQ") is not None
    table = soup.find("table")
    assert [text_of(th) for th in table.find_all("th")] == ["Day", "Distance"]
    assert [text_of(td) for td in table.find_all("td")] == [
        "Saturday",
        "12 km",
        "Sunday",
        "8 | 9 km",
    ]
    assert "Our walks" in text_of(soup)
    assert "\n<!--more-->\n" in markdown
    assert [text_of(li) for li in soup.find_all("ul")[0].find_all("li")] == ["Boots", "Water"]


def test_footnotes_become_markdown_footnotes() -> None:
    markdown = to_markdown(BLOCKS, "pelican", Media())
    assert "We walked[^1] a long way" in markdown
    assert "[^1]: Nearly 20 km, says the *app*." in markdown.splitlines()
    assert "↩" not in markdown
    soup = render_pelican(markdown)  # Python-Markdown's footnotes (Pelican's "extra")
    notes = soup.find("div", class_="footnote")
    assert notes is not None and "Nearly 20 km, says the app." in text_of(notes)
    assert soup.find("sup") is not None and soup.find("sup").find("a") is not None


def test_hugo_block_embed_and_figure() -> None:
    markdown = to_markdown(BLOCKS, "hugo", Media())
    lines = markdown.splitlines()
    assert "{{< youtube dQw4w9WgXcQ >}}" in lines
    figure = '{{< figure src="hill-1024x768.jpg" alt="The hill" caption="The hill, from '
    assert figure + '[below](hill.jpg)" >}}' in lines


def test_table_that_cannot_be_a_pipe_table_stays_html() -> None:
    content = (
        '<!-- wp:table --><figure class="wp-block-table"><table><tbody>'
        '<tr><td colspan="2">Both days</td></tr><tr><td>Sat</td><td>Sun</td></tr>'
        "</tbody></table></figure><!-- /wp:table -->"
    )
    markdown = to_markdown(content, "eleventy")
    soup = render(markdown)
    assert soup.find("td", colspan="2") is not None
    assert "|" not in markdown


def test_classic_table_without_header_uses_its_first_row() -> None:
    content = "<table>\n<tr><td>a</td><td>b</td></tr>\n<tr><td>1</td><td>2</td></tr>\n</table>"
    soup = render(to_markdown(content, "jekyll"))
    assert [text_of(th) for th in soup.find_all("th")] == ["a", "b"]
    assert [text_of(td) for td in soup.find_all("td")] == ["1", "2"]


@pytest.mark.parametrize(
    "content",
    [
        "Page one.\n\n<!--nextpage-->\n\nPage two.",
        "<!-- wp:paragraph --><p>Page one.</p><!-- /wp:paragraph -->\n\n<!-- wp:nextpage -->"
        "\n<!--nextpage-->\n<!-- /wp:nextpage -->\n\n<!-- wp:paragraph --><p>Page two.</p>"
        "<!-- /wp:paragraph -->",
    ],
)
def test_nextpage_is_kept_on_its_own_line(content: str) -> None:
    assert to_markdown(content, "jekyll") == "Page one.\n\n<!--nextpage-->\n\nPage two.\n"


# Shortcodes -----------------------------------------------------------------------------


CODE_CASES = [
    ('[code language="python"]x = a < b and c_d * 2[/code]', "python"),
    ('[sourcecode lang="php"]<?php echo $a[\'_b\'] . "&amp;"; ?>[/sourcecode]', "php"),
    ('<pre class="brush: python; gutter: false">x = a &lt; b and c_d * 2</pre>', "python"),
    ('<pre lang="js">let x = a &lt; b &amp;&amp; c_d * 2;</pre>', "js"),
    ("[python]x = a < b and c_d * 2[/python]", "python"),
    (
        '<!-- wp:code --><pre class="wp-block-code"><code class="language-python">'
        "x = a &lt; b and c_d * 2</code></pre><!-- /wp:code -->",
        "python",
    ),
    (
        '<!-- wp:syntaxhighlighter/code {"language":"python"} -->\n'
        '<pre class="wp-block-syntaxhighlighter-code">x = a &lt; b and c_d * 2</pre>\n'
        "<!-- /wp:syntaxhighlighter/code -->",
        "python",
    ),
]


@pytest.mark.parametrize(("content", "language"), CODE_CASES)
def test_code_becomes_a_fenced_block_with_its_language(content: str, language: str) -> None:
    markdown = to_markdown(content, "eleventy")
    code = render(markdown).find("code", class_=f"language-{language}")
    assert code is not None, markdown
    expected = {
        "php": "<?php echo $a['_b'] . \"&\"; ?>\n",
        "js": "let x = a < b && c_d * 2;\n",
    }.get(language, "x = a < b and c_d * 2\n")
    assert code.get_text() == expected
    pelican = render_pelican(markdown).find("code")
    assert pelican is not None and pelican.get_text() == expected


def test_code_with_backtick_fences_inside_gets_a_longer_fence() -> None:
    content = "[code]Markdown:\n```\nx\n```[/code]"
    code = render(to_markdown(content, "jekyll")).find("code")
    assert code.get_text() == "Markdown:\n```\nx\n```\n"


def test_shortcodes_inside_code_are_not_run() -> None:
    content = '<pre>[gallery ids="1,2"] and [caption]x[/caption]</pre>'
    media = Media()
    code = render(to_markdown(content, "jekyll", media)).find("code")
    assert code.get_text() == '[gallery ids="1,2"] and [caption]x[/caption]\n'
    assert media.galleries == []


OLD_GALLERY_BLOCK = (
    '<!-- wp:gallery {"ids":[1,2,3],"linkTo":"none"} --><figure class="wp-block-gallery">'
    '<ul class="blocks-gallery-grid"><li class="blocks-gallery-item"><figure>'
    f'<img src="{UPLOADS}a.jpg" data-id="1"/></figure></li></ul></figure>'
    "<!-- /wp:gallery -->"
)
NESTED_GALLERY_BLOCK = (
    '<!-- wp:gallery {"linkTo":"none"} -->'
    '<figure class="wp-block-gallery has-nested-images"><!-- wp:image {"id":5} -->'
    '<figure class="wp-block-image"><img src="x.jpg" class="wp-image-5"/></figure>'
    '<!-- /wp:image --><!-- wp:image {"id":2} --><figure class="wp-block-image">'
    '<img src="y.jpg"/></figure><!-- /wp:image --></figure><!-- /wp:gallery -->'
)


@pytest.mark.parametrize(
    ("content", "ids"),
    [
        ('[gallery ids="1,2,3" columns="3" link="file"]', [1, 2, 3]),
        ('[gallery type="rectangular" include="3, 1"]', [3, 1]),
        ("[gallery]", None),
        (
            '<!-- wp:gallery {"ids":[1,2,3]} --><figure class="wp-block-gallery"></figure>'
            "<!-- /wp:gallery -->",
            [1, 2, 3],
        ),
    ],
)
def test_galleries_list_their_images(content: str, ids: list[int] | None) -> None:
    media = Media()
    soup = render(to_markdown(content, "jekyll", media))
    assert media.galleries == [ids]
    expected = ids or [7, 8]
    assert [img["src"] for img in soup.find_all("img")] == [f"p{n}.jpg" for n in expected]
    assert [img["alt"] for img in soup.find_all("img")] == [f"picture {n}" for n in expected]
    if 2 in expected:  # the captioned one is a figure
        assert text_of(soup.find("figure").find("figcaption")) == "The second"


@pytest.mark.parametrize("content", [OLD_GALLERY_BLOCK, NESTED_GALLERY_BLOCK])
def test_a_gallery_block_keeps_its_own_images_as_the_author_saw_them(content: str) -> None:
    """A block gallery's HTML holds its images and captions: they win over the attachments'
    (only a block without images asks the context)."""
    media = Media()
    soup = render(to_markdown(content, "jekyll", media))
    assert media.galleries == []
    found = [img["src"] for img in soup.find_all("img")]
    assert found and all("a.jpg" in src or src in ("x.jpg", "y.jpg") for src in found)


def test_gallery_without_images_from_the_context_is_not_lost() -> None:
    assert "[gallery]" in text_of(render(to_markdown("Look: [gallery]", "jekyll", PLAIN)))
    nested = (
        '<!-- wp:gallery --><figure class="wp-block-gallery"><!-- wp:image {"id":5} -->'
        '<figure class="wp-block-image"><img src="x.jpg" alt="x"/></figure><!-- /wp:image -->'
        "</figure><!-- /wp:gallery -->"
    )
    assert render(to_markdown(nested, "jekyll", PLAIN)).find("img")["src"] == "x.jpg"


EMBEDS = [
    "[embed]https://www.youtube.com/watch?v=dQw4w9WgXcQ[/embed]",
    '[embed width="640"]https://youtu.be/dQw4w9WgXcQ[/embed]',
    "[youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;w=640&amp;h=360]",
    "[youtube=http://www.youtube.com/watch?v=dQw4w9WgXcQ]",
    "Before.\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nAfter.",
    '<!-- wp:core-embed/youtube {"url":"https://youtu.be/dQw4w9WgXcQ"} --><figure class="wp-block'
    '-embed-youtube"><div class="wp-block-embed__wrapper">https://youtu.be/dQw4w9WgXcQ</div>'
    "</figure><!-- /wp:core-embed/youtube -->",
]


@pytest.mark.parametrize("content", EMBEDS)
def test_youtube_embeds(content: str) -> None:
    assert "{{< youtube dQw4w9WgXcQ >}}" in to_markdown(content, "hugo").splitlines()
    links = render(to_markdown(content, "jekyll")).find_all("a")
    assert len(links) == 1 and "dQw4w9WgXcQ" in links[0]["href"]
    assert links[0].parent.name == "p" and text_of(links[0].parent) == links[0]["href"]


@pytest.mark.parametrize(
    "content",
    ["[vimeo 123456]", "[vimeo https://vimeo.com/123456 w=400]", "https://vimeo.com/123456"],
)
def test_vimeo_embeds(content: str) -> None:
    assert to_markdown(content, "hugo") == "{{< vimeo 123456 >}}\n"
    assert to_markdown(content, "pelican") == "<https://vimeo.com/123456>\n"


def test_other_embeds_are_autolinks_even_for_hugo() -> None:
    content = (
        '<!-- wp:embed {"url":"https://twitter.com/wordpress/status/123","type":"rich"} -->'
        '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">'
        "https://twitter.com/wordpress/status/123</div><figcaption>A tweet</figcaption>"
        "</figure><!-- /wp:embed -->"
    )
    markdown = to_markdown(content, "hugo")
    assert markdown == "<https://twitter.com/wordpress/status/123>\n\nA tweet\n"


def test_a_url_inside_a_sentence_is_not_an_embed() -> None:
    soup = render(to_markdown("See https://youtu.be/dQw4w9WgXcQ for it.", "hugo"))
    assert text_of(soup) == "See https://youtu.be/dQw4w9WgXcQ for it."


def test_audio_and_video_shortcodes_keep_html_with_local_addresses() -> None:
    content = (
        f'[audio mp3="{UPLOADS}song.mp3"][/audio]\n\n'
        f'[video width="640" height="360" mp4="{UPLOADS}clip.mp4" poster="{UPLOADS}clip.jpg"]'
        "[/video]"
    )
    soup = render(to_markdown(content, "jekyll", Media()))
    assert soup.find("audio", src="song.mp3").has_attr("controls")
    video = soup.find("video")
    assert (video["src"], video["poster"], video["width"]) == ("clip.mp4", "clip.jpg", "640")


def test_escaped_and_unknown_shortcodes_stay_text() -> None:
    content = 'Write [[gallery]] to show one. [poll id="3"] [su_box title="x"]Hi[/su_box]'
    soup = render(to_markdown(content, "jekyll", Media()))
    assert (
        text_of(soup) == 'Write [gallery] to show one. [poll id="3"] [su_box title="x"]Hi[/su_box]'
    )


def test_hugo_figure_quotes_are_escaped() -> None:
    content = (
        '[caption width="300"]<img src="x.jpg" alt="A &quot;big&quot; one" /> He said "hi"'
        "[/caption]"
    )
    markdown = to_markdown(content, "hugo")
    assert markdown == (
        '{{< figure src="x.jpg" alt="A \\"big\\" one" caption="He said &quot;hi&quot;" >}}\n'
    )


# Inline HTML, media, escaping, normal form -----------------------------------------------


def test_what_markdown_cannot_say_stays_html() -> None:
    content = (
        "<p>H<sub>2</sub>O, x<sup>2</sup>, <mark>marked</mark>, <kbd>Ctrl</kbd>+<kbd>&lt;</kbd>, "
        '<abbr title="World Wide Web">WWW</abbr>, <span style="color:red">red</span>, '
        '<span class="x">plain</span>, <del>gone</del>.</p>\n'
        '<iframe src="https://maps.example.com/embed?x=1" width="600"></iframe>\n'
        "<details><summary>More</summary><p>Hidden <em>text</em></p></details>\n"
        '<div style="margin:0" id="box"><p>Inside a div</p></div>\n'
        "<script>var a = 1;</script>"
    )
    markdown = to_markdown(content, "jekyll")
    soup = render(markdown)
    for name in ("sub", "sup", "mark", "del", "iframe", "details", "summary", "script"):
        assert soup.find(name) is not None, name
    assert [k.get_text() for k in soup.find_all("kbd")] == ["Ctrl", "<"]
    assert soup.find("abbr")["title"] == "World Wide Web"
    assert soup.find("span", style="color:red") is not None
    assert "plain" in text_of(soup) and soup.find("span", class_="x") is None
    assert soup.find("div") is None and "Inside a div" in text_of(soup)


def test_media_addresses_are_rewritten_and_titles_kept() -> None:
    content = (
        f'<a href="{UPLOADS}report.pdf" title="The report">Report</a> and '
        f'<a href="{UPLOADS}big.jpg"><img src="{UPLOADS}big-150x150.jpg" alt="Big" title="Tip" '
        f'srcset="{UPLOADS}big-150x150.jpg 150w, {UPLOADS}big.jpg 800w" /></a> and '
        f'<img srcset="{UPLOADS}s-300.jpg 300w, {UPLOADS}s-900.jpg 900w" alt="only srcset"> and '
        '<a href="https://example.org/page">elsewhere</a>\n\n'
        f'<video controls poster="{UPLOADS}v.jpg"><source src="{UPLOADS}v.mp4"></video>'
    )
    soup = render(to_markdown(content, "eleventy", Media()))
    assert soup.find("a", href="report.pdf")["title"] == "The report"
    img = soup.find("img", alt="Big")
    assert (img["src"], img["title"], img.parent["href"]) == ("big-150x150.jpg", "Tip", "big.jpg")
    assert soup.find("img", alt="only srcset")["src"] == "s-900.jpg"
    assert soup.find("a", href="https://example.org/page") is not None
    assert soup.find("video")["poster"] == "v.jpg" and soup.find("source")["src"] == "v.mp4"
    assert "srcset=" not in str(soup)


def test_markdown_characters_in_text_stay_text() -> None:
    text = (
        "*not emphasis* and snake_case_name, [not a link](x), `tick`, a \\ backslash,\n"
        "# not a heading\n- not a list\n+ nor this\n1. not ordered\n> not a quote\n"
        "&lt;b&gt;not bold&lt;/b&gt; &amp;copy; a|b"
    )
    markdown = to_markdown(text, "pelican")
    html_text = "".join(BeautifulSoup(text.replace("\n", " "), "html.parser").strings)
    for soup in (render(markdown), render_pelican(markdown)):
        assert text_of(soup) == " ".join(html_text.split())
        for name in ("em", "h1", "ul", "ol", "blockquote", "b", "a", "code"):
            assert soup.find(name) is None, (name, markdown)


def test_hugo_shortcode_syntax_in_text_is_neutralised_but_emitted_ones_are_not() -> None:
    content = "Use {{< youtube ID >}} in Hugo.\n\nhttps://youtu.be/dQw4w9WgXcQ"
    markdown = to_markdown(content, "hugo")
    assert "{{< youtube ID >}}" not in markdown
    assert markdown.endswith("\n\n{{< youtube dQw4w9WgXcQ >}}\n")
    assert text_of(render(markdown)).startswith("Use {{< youtube ID >}} in Hugo.")
    assert "Use {{< youtube ID >}} in Hugo." in to_markdown(content, "jekyll")


def test_output_is_normalised() -> None:
    content = "<p>One<br>\ntwo<br></p>\n\n\n\n<p>   </p><p>Three   </p>\n<ul>\n<li>a</li>\n</ul>"
    for flavour in FLAVOURS:
        for markdown in (to_markdown(content, flavour), to_markdown(BLOCKS, flavour, Media())):
            assert markdown.endswith("\n") and not markdown.endswith("\n\n")
            assert "\n\n\n" not in markdown
            lines = markdown.split("\n")
            for i, line in enumerate(lines):
                if line != line.rstrip():  # only a hard break: two spaces, then more text
                    assert line.endswith("  ") and not line.endswith("   "), repr(line)
                    assert lines[i + 1].strip(), repr(line)
    assert to_markdown(content, "jekyll") == "One  \ntwo\n\nThree\n\n- a\n"


def test_headings_are_atx_and_lists_use_dashes() -> None:
    content = "<h1>Top</h1><h3>Low</h3><ul><li>a<ul><li>b</li></ul></li></ul><ol><li>x</li></ol>"
    markdown = to_markdown(content, "jekyll")
    assert markdown == "# Top\n\n### Low\n\n- a\n  - b\n\n1. x\n"


def test_empty_content_and_unknown_flavour() -> None:
    assert to_markdown("", "hugo") == ""
    assert to_markdown("  \n ", "hugo") == ""
    with pytest.raises(ValueError, match="flavour"):
        to_markdown("x", "gatsby")


def test_no_line_is_lost_from_a_long_classic_post() -> None:
    paragraphs = [f"Paragraph {n} with a *star* and an_underscore." for n in range(40)]
    markdown = to_markdown("\n\n".join(paragraphs), "eleventy")
    assert [text_of(p) for p in render(markdown).find_all("p")] == paragraphs
    assert re.search(r"\\\*star\\\*", markdown)


ODD = [
    '<img srcset=" , ">',
    "<img>",
    '<a href="">x</a><a></a>',
    "<table></table><table><tr></tr></table>",
    "[caption]no image[/caption]",
    "[caption]<img src='x.jpg'>",
    '<sup data-fn="nowhere" class="fn">1</sup>',
    '<ol class="wp-block-footnotes"><li>no id</li></ol>',
    "[youtube]",
    "[embed]not a url[/embed]",
    "[audio]",
    "<!-- wp:embed -->\n<figure></figure>\n<!-- /wp:embed -->",
    '<!-- wp:gallery {"ids":"x"} --><!-- /wp:gallery -->',
    "<!-- wp:paragraph {broken json} -->\n<p>x</p>\n<!-- /wp:paragraph -->",
    "<pre>",
    "</p></div><li>stray",
    "[[caption]]",
    "<video></video><iframe></iframe>",
    "```\nnot closed",
    '<wpcpd-block data-i="99"></wpcpd-block>',
]


@pytest.mark.parametrize("content", ODD)
def test_odd_content_does_not_break_the_conversion(content: str) -> None:
    for flavour in FLAVOURS:
        markdown = to_markdown(content, flavour, Media())
        assert markdown == "" or markdown.endswith("\n")


def test_a_script_keeps_its_lines_and_a_custom_html_block_its_markup() -> None:
    script = (
        '<p>Before</p>\n<script type="text/javascript">//<![CDATA[\nvar thing = 8;\n//]]></script>'
    )
    assert "//<![CDATA[\nvar thing = 8;\n//]]></script>" in to_markdown(script, "jekyll")
    classic = "Text\n\n<script>\nvar a = 1;\n\nvar b = 2;\n</script>"
    assert "<script>\nvar a = 1;\n\nvar b = 2;\n</script>" in to_markdown(classic, "hugo")
    block = (
        '<!-- wp:html -->\n<div class="custom" style="color:red">Custom <span>HTML</span>'
        "\n\n<b>x</b></div>\n<!-- /wp:html -->"
    )
    out = to_markdown(block, "eleventy")
    assert '<div class="custom" style="color:red">Custom <span>HTML</span>\n<b>x</b></div>' in out
