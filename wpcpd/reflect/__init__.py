"""CPD reflections: recognise them in the archive, and write new ones from templates.

- `detect`: `detect_reflection(post)`, `derive_reflections(archive, site)`, `describe_sections`.
- `templates`: `list_templates()`, `new_reflection(template, thing=..., programme=...)`.
- `render`: `load_document(path)`, `to_blocks(markdown)`, `to_classic(markdown)`.
- `programmes`: programme definitions (cpd23 and the user's own).
"""

from wpcpd.reflect.detect import (
    Reflection,
    Section,
    derive_reflections,
    describe_sections,
    detect_reflection,
    detect_site_reflections,
    reflection_of,
    thing_label,
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
