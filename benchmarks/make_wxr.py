"""Grow a real WordPress export into a large one, for benchmarks.

The items of a template export (one written by real WordPress's exporter) are cloned with
fresh post and comment ids until the file holds the asked-for number of posts; each clone
keeps its comment threads, and more comments are cloned onto each post until the average
per post is reached. The output is written item by item, so making a 10x file needs no
more memory than a 1x one.

    python benchmarks/make_wxr.py TEMPLATE.xml OUT.xml --posts 2000 --comments-per-post 10
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

from lxml import etree

ID_STRIDE = 1_000_000


def wp(tag: str, ns: str) -> str:
    return f"{{{ns}}}{tag}"


def load_template(path: Path) -> tuple[bytes, bytes, list[etree._Element], str]:
    """The bytes before and after the items, the post items, and the wp namespace."""
    parser = etree.XMLParser(strip_cdata=False, huge_tree=True, resolve_entities=False)
    tree = etree.parse(str(path), parser)
    channel = tree.getroot().find("channel")
    ns = next(
        uri
        for uri in tree.getroot().nsmap.values()
        if uri.startswith("http://wordpress.org/export/") and not uri.endswith("excerpt/")
    )
    items = channel.findall("item")
    for item in items:
        channel.remove(item)
    marker = etree.SubElement(channel, "item")
    marker.text = "@@ITEMS@@"
    text = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    head, tail = text.split(b"<item>@@ITEMS@@</item>")
    posts = [i for i in items if i.findtext(wp("post_type", ns)) == "post"]
    return head, tail, posts, ns


def clone(
    item: etree._Element, copy_number: int, ns: str, extra_comments: int, pool: list
) -> bytes:
    """One post with ids moved by copy_number * ID_STRIDE, plus comments from the pool."""
    offset = copy_number * ID_STRIDE
    item = copy.deepcopy(item)
    shift(item, wp("post_id", ns), offset)
    name = item.find(wp("post_name", ns))
    if name is not None and name.text:
        name.text = etree.CDATA(f"{name.text}-{copy_number}")
    comments = item.findall(wp("comment", ns))
    for comment in comments:
        shift(comment, wp("comment_id", ns), offset)
        shift(comment, wp("comment_parent", ns), offset, keep_zero=True)
    for extra in range(extra_comments):
        source = copy.deepcopy(pool[(copy_number + extra) % len(pool)])
        source.find(wp("comment_id", ns)).text = str(offset + 500_000 + extra)
        source.find(wp("comment_parent", ns)).text = "0"
        item.append(source)
    return etree.tostring(item, encoding="UTF-8")


def shift(parent: etree._Element, tag: str, offset: int, keep_zero: bool = False) -> None:
    element = parent.find(tag)
    if element is None or not (element.text or "").strip().isdigit():
        return
    value = int(element.text)
    if value == 0 and keep_zero:
        return
    element.text = str(value + offset)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    args = parser.parse_args()
    head, tail, posts, ns = load_template(args.template)
    pool = [c for p in posts for c in p.findall(wp("comment", ns))]
    with args.out.open("wb") as out:
        out.write(head)
        for n in range(args.posts):
            post = posts[n % len(posts)]
            extra = max(0, args.comments_per_post - len(post.findall(wp("comment", ns))))
            out.write(clone(post, n + 1, ns, extra, pool))
            out.write(b"\n")
        out.write(tail)


if __name__ == "__main__":
    main()
