"""CPD reflections: recognise them in the archive, and write new ones from templates.

- `detect`: `detect_reflection(post)`, `detect_site_reflections(posts)`, `describe_sections`.
- `derive`: `derive_reflections(archive, site)`, which stores them in the archive and derives
  again only what changed; `reflection_of(archive, site, post_id)`.
- `templates`: `list_templates()`, `new_reflection(template, thing=..., programme=...)`.
- `render`: `load_document(path)`, `to_blocks(markdown)`, `to_classic(markdown)`.
- `programmes`: programme definitions (cpd23 and the user's own).
"""

from wpcpd.reflect.derive import derive_reflections, reflection_of
from wpcpd.reflect.detect import (
    Reflection,
    Section,
    describe_sections,
    detect_reflection,
    detect_site_reflections,
)
from wpcpd.reflect.frontmatter import FrontMatter, ensure_uid
from wpcpd.reflect.programmes import Programme, Thing, load_programmes, resolve_programme
from wpcpd.reflect.render import (
    Document,
    ImageRef,
    LocalImage,
    load_document,
    to_blocks,
    to_classic,
)
from wpcpd.reflect.templates import TemplateInfo, list_templates, new_reflection, review_reflections
from wpcpd.reflect.things import thing_label

__all__ = [
    "Document",
    "FrontMatter",
    "ImageRef",
    "LocalImage",
    "Programme",
    "Reflection",
    "Section",
    "TemplateInfo",
    "Thing",
    "derive_reflections",
    "describe_sections",
    "detect_reflection",
    "detect_site_reflections",
    "ensure_uid",
    "list_templates",
    "load_document",
    "load_programmes",
    "new_reflection",
    "reflection_of",
    "resolve_programme",
    "review_reflections",
    "thing_label",
    "to_blocks",
    "to_classic",
]
