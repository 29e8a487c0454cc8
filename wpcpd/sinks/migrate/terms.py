"""Terms on the target: matched by slug (or by name and parent) or created, parents first,
in the taxonomies the target has."""

from __future__ import annotations

from typing import Any

from wpcpd.hashing import pushed_content_hash
from wpcpd.model import Term
from wpcpd.sinks.base import Outcome
from wpcpd.sinks.migrate.plan import Carrier, Item, Send
from wpcpd.sinks.migrate.rules import same_term
from wpcpd.sinks.migrate.runner import Decision
from wpcpd.wordpress.client import SKIPPED_TAXONOMIES


class Terms(Carrier[Term]):
    def decision(self, term: Term) -> Decision:
        key = f"{term.taxonomy}/{term.slug}"
        if term.taxonomy in SKIPPED_TAXONOMIES:
            return None
        info = self.migration.target.taxonomies.get(term.taxonomy)
        if info is None:
            return Outcome("term", key, "skipped",
                           f"the target has no taxonomy {term.taxonomy} (add the plugin or "
                           "theme that registers it, then push again)", term.name)  # fmt: skip
        fields: dict[str, Any] = {"name": term.name, "slug": term.slug,
                                  "description": term.description}  # fmt: skip
        if info.hierarchical:
            parent = self.maps.target_id("term", f"{term.taxonomy}/{term.parent}")
            fields["parent"] = parent or 0
        return self.decide(Item("term", key, term.name, term, fields, pushed_content_hash(fields),
                                rest_base=info.rest_base))  # fmt: skip

    def find(self, item: Item[Term]) -> dict[str, Any] | None:
        return self.migration.index.term(item.rest_base, item.record.slug)

    def same(self, found: dict[str, Any], item: Item[Term]) -> bool:
        return same_term(found, item.fields)

    def update(self, item: Item[Term], target_id: int, found: dict[str, Any] | None) -> Send:
        return lambda: self.writer.update(f"wp/v2/{item.rest_base}", target_id, item.fields)

    def create(self, item: Item[Term]) -> Send:
        return lambda: self._ensure_term(item.rest_base, item.fields)

    def _ensure_term(self, rest_base: str, fields: dict[str, Any]) -> dict[str, Any]:
        result = self.writer.ensure_term(
            rest_base,
            fields["name"],
            fields["slug"],
            fields.get("parent", 0),
            fields["description"],
        )
        if result.created:
            return {"id": result.id, "link": "", "outcome": "created"}
        # Found by name and parent: make it what the archive says (slug, description).
        updated = self.writer.update(f"wp/v2/{rest_base}", result.id, fields)
        return {**updated, "outcome": "matched"}
