"""Writes the rows a workbook holds back into checklist.yaml as text edits of the file as it
is: what did not change is copied as it was (comments, quotes, order, line breaks), so that a
diff of the file shows only what changed in the sheet.

The file is composed with PyYAML, whose nodes give every value's place in the text; an
indicator, a task or a domain the sheet keeps is its own text with only the changed values
replaced (in the style they were written in), one the sheet adds is written in the style of
its neighbours.
"""

from __future__ import annotations

import difflib

import yaml

from .checklist_sheet import task_parts
from .yamlsource import child
from .yamltext import Edit, apply, flow, reindent, scalar

_LISTS = ("lead_units", "responsible_units")


class ChecklistText:
    """checklist.yaml's text and nodes, and the new text for a sheet's rows."""

    def __init__(self, text: str):
        self.text = text
        self.root = yaml.compose(text)
        self.key = "domains" if child(self.root, "domains") is not None else "indicators"
        self.old: dict[int, yaml.MappingNode] = {}  # number → the indicator's node
        self.order: list[str] = []  # the indicators' keys in the order the file gives them
        self.styles: dict[str, str | None] = {}  # key → the style its values are written in
        self.starts: dict[int, int] = {}  # an item → where its text starts (comments above)
        self._record(child(self.root, self.key))
        for node in self._indicators(child(self.root, self.key)):
            number = child(node, "number")
            self.old.setdefault(int(number.value), node)
            for k, v in node.value:
                if k.value not in self.order:
                    self.order.append(k.value)
                self.styles.setdefault(k.value, "flow" if getattr(v, "flow_style", False)
                                       else getattr(v, "style", None))
            for sub in (child(node, "sub_indicators") or yaml.SequenceNode("", [])).value:
                for k, v in sub.value if isinstance(sub, yaml.MappingNode) else ():
                    self.styles.setdefault("sub " + k.value, getattr(v, "style", None))

    def _record(self, seq) -> None:
        if isinstance(seq, yaml.SequenceNode) and not seq.flow_style and seq.value:
            for item, (start, _end) in zip(seq.value, self._spans(seq), strict=True):
                self.starts[id(item)] = start
                for key in ("indicators", "tasks"):
                    self._record(child(item, key))

    def _block(self, item) -> tuple[int, int]:
        """Where an item's text starts (with the comments above it) and ends."""
        return self.starts[id(item)], self._line_after(self._content_end(item))

    def _indicators(self, seq):
        for item in seq.value if isinstance(seq, yaml.SequenceNode) else []:
            if child(item, "number") is not None:
                yield item
            for key in ("indicators", "tasks"):
                yield from self._indicators(child(item, key))

    # -- places in the text ----------------------------------------------------------------

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _line_after(self, index: int) -> int:
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end + 1

    def _content_end(self, node) -> int:
        """Where a node's own text ends (a block scalar's trailing line breaks left out)."""
        if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
            end = node.end_mark.index
        elif isinstance(node, yaml.MappingNode):
            end = max(self._content_end(v) for _, v in node.value) if node.value else \
                node.end_mark.index
        else:
            end = max(self._content_end(v) for v in node.value) if node.value else \
                node.end_mark.index
        while end > node.start_mark.index and self.text[end - 1] in " \n":
            end -= 1
        return end

    def _dash(self, item) -> int:
        """The start of the line holding an item's dash."""
        i = item.start_mark.index - 1
        while i >= 0 and self.text[i] in " \n":
            i -= 1
        return self._line_start(i if i >= 0 and self.text[i] == "-" else item.start_mark.index)

    def _spans(self, seq) -> list[tuple[int, int]]:
        """(start, end) of each item of a block list: consecutive, comments above an item
        going with it; the first starts at its dash's line, the last ends after its text."""
        spans, start = [], None
        for item in seq.value:
            end = self._line_after(self._content_end(item))
            spans.append((self._dash(item) if start is None else start, end))
            start = end
        return spans

    def _indent(self, seq) -> int:
        first = self._dash(seq.value[0])
        return len(self.text[first:]) - len(self.text[first:].lstrip(" "))

    # -- the new text ----------------------------------------------------------------------

    def write(self, rows: list[dict], title: str | None) -> str:
        seq = child(self.root, self.key)
        if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
            raise ValueError("checklist.yaml's list of " + self.key + " is not written one "
                             "item a line")
        self._match(rows)
        spans = self._spans(seq)
        indent = self._indent(seq)
        if self.key == "domains":
            self.old_domains = list(seq.value)
            self.old_tasks = [t for d in seq.value
                              for t in (child(d, "tasks").value if child(d, "tasks") else [])]
            self.new_domains = {row.get("domain") for row in rows}
            body = "".join(self._domain(name, tasks, indent, n)
                           for n, (name, tasks) in enumerate(_groups(rows)))
        else:
            body = "".join(self._indicator(row, indent) for row in rows)
        edits = [Edit(spans[0][0], spans[-1][1], body)]
        title_node = child(self.root, "title")
        if title and title_node is not None and title_node.value.strip() != title:
            edits.append(self._replace(title_node, title, 0))
        return apply(self.text, edits)

    def _match(self, rows: list[dict]) -> None:
        """Each row's indicator in the file: same number and name, else the same name
        (renumbered), else the same number."""
        self.matched: dict[int, yaml.MappingNode] = {}
        names = {n: (child(node, "name").value.strip() if child(node, "name") else "")
                 for n, node in self.old.items()}
        used = set()
        for test in (lambda r, n: r["number"] == n and r.get("name") == names[n],
                     lambda r, n: r.get("name") == names[n],
                     lambda r, n: r["number"] == n):
            for k, row in enumerate(rows):
                if k in self.matched or "number" not in row:
                    continue
                hit = next((n for n in self.old if n not in used and test(row, n)), None)
                if hit is not None:
                    self.matched[k] = self.old[hit]
                    used.add(hit)
        self.row_index = {id(row): k for k, row in enumerate(rows)}

    def _domain(self, name: str, tasks: list, indent: int, n: int) -> str:
        old = next((d for d in self.old_domains
                    if d is not None and _text(child(d, "name")) == name), None)
        if old is None and n < len(self.old_domains) and self.old_domains[n] is not None \
                and _text(child(self.old_domains[n], "name")) not in self.new_domains:
            old = self.old_domains[n]  # renamed
        direct = [rows for label, rows in tasks if not label]
        labelled = [(label, rows) for label, rows in tasks if label]
        key = indent + 2
        if old is None:
            out = " " * indent + "- name: " + scalar(name, key) + "\n"
            if direct:
                out += " " * key + "indicators:\n" + "".join(
                    self._indicator(r, key + 2) for r in direct[0])
            if labelled:
                out += " " * key + "tasks:\n" + "".join(
                    self._task(label, rows, key + 2) for label, rows in labelled)
            return out
        self.old_domains[self.old_domains.index(old)] = None
        edits = []
        if _text(child(old, "name")) != name:
            edits.append(self._replace(child(old, "name"), name, key))
        key = old.start_mark.column
        edits += self._list(old, "indicators", direct[0] if direct else [],
                            lambda r, at: self._indicator(r, at), key, after="name")
        edits += self._list(old, "tasks", labelled, lambda t, at: self._task(*t, at), key)
        start, end = self._block(old)
        return apply(self.text[start:end], edits, start)

    def _task(self, label: str, rows: list, indent: int) -> str:
        ordinal, name = task_parts(label)
        old = next((t for t in self.old_tasks if t is not None and _label(t) == label), None)
        key = indent + 2
        if old is None:
            out = " " * indent + "- " + (f"ordinal: {scalar(ordinal, key)}\n" + " " * key
                                         if ordinal else "")
            return (out + "name: " + scalar(name, key) + "\n" + " " * key + "indicators:\n"
                    + "".join(self._indicator(r, key + 2) for r in rows))
        self.old_tasks[self.old_tasks.index(old)] = None
        edits = self._list(old, "indicators", rows, lambda r, at: self._indicator(r, at),
                           old.start_mark.column)
        start, end = self._block(old)
        return reindent(apply(self.text[start:end], edits, start),
                         indent - self._col(old))

    def _col(self, item) -> int:
        start = self._dash(item)
        return self.text.index("-", start) - start

    def _list(self, mapping, key: str, items: list, render, key_col: int,
              after: str | None = None) -> list[Edit]:
        """Edits that make the list under `key` hold the items (added, replaced, removed)."""
        seq = child(mapping, key)
        if seq is not None and items:
            spans = self._spans(seq)
            at = self._indent(seq)
            return [Edit(spans[0][0], spans[-1][1], "".join(render(i, at) for i in items))]
        if seq is not None:  # the key goes
            key_node = next(k for k, v in mapping.value if v is seq)
            return [Edit(self._line_start(key_node.start_mark.index),
                          self._line_after(self._content_end(seq)), "")]
        if not items:
            return []
        anchor = child(mapping, after) if after else mapping
        at = self._line_after(self._content_end(anchor))
        return [Edit(at, at, " " * key_col + key + ":\n"
                      + "".join(render(i, key_col + 2) for i in items))]

    def _replace(self, node, value: str, key_col: int) -> Edit:
        style = node.style if isinstance(node, yaml.ScalarNode) else None
        end = self._content_end(node) if style in (">", "|") else node.end_mark.index
        return Edit(node.start_mark.index, end, scalar(value, key_col, style))

    # -- an indicator ----------------------------------------------------------------------

    def _indicator(self, row: dict, indent: int) -> str:
        old = self.matched.get(self.row_index[id(row)])
        if old is None:
            return self._fresh(row, indent)
        key = old.start_mark.column
        edits = []
        keys = [k.value for k, _ in old.value]
        for field in dict.fromkeys(keys + [f for f in self._order(row) if f not in keys]):
            node, new = child(old, field), row.get(field)
            if node is not None and _value(node) == (str(new) if field == "number" else new):
                continue
            if new in (None, "", ()):
                if node is None:
                    continue
                key_node = next(k for k, v in old.value if v is node)
                edits.append(Edit(self._line_start(key_node.start_mark.index),
                                   self._line_after(self._content_end(node)), ""))
            elif node is None:
                before = [k for k in self._order(row) if k in keys
                          and self._order(row).index(k) < self._order(row).index(field)]
                anchor = child(old, before[-1]) if before else old
                at = self._line_after(self._content_end(anchor))
                edits.append(Edit(at, at, self._field(field, new, key)))
            else:
                edits.append(self._change(node, field, new, key))
        start, end = self._block(old)
        return reindent(apply(self.text[start:end], edits, start), indent - self._col(old))

    def _order(self, row: dict) -> list[str]:
        return [f for f in self.order + [f for f in row if f not in self.order]
                if f not in ("domain", "task")]

    def _change(self, node, field: str, new, key: int) -> Edit:
        if field == "number":
            return Edit(node.start_mark.index, node.end_mark.index, str(new))
        if isinstance(node, yaml.ScalarNode) and isinstance(new, (str, int)):
            return self._replace(node, str(new), key)
        if field in _LISTS and isinstance(node, yaml.SequenceNode) and node.flow_style:
            return Edit(node.start_mark.index, node.end_mark.index, flow(new, key))
        if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
            old = _value(node)
            spans = self._spans(node)
            at = self._indent(node)
            out = []
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new,
                                                               autojunk=False).get_opcodes():
                if op == "equal":
                    out.append(self.text[spans[i1][0]:spans[i2 - 1][1]])
                else:
                    out += [self._element(field, x, at) for x in new[j1:j2]]
            return Edit(spans[0][0], spans[-1][1], "".join(out))
        line = self._field(field, new, key)
        key_start = self._line_start(node.start_mark.index)
        return Edit(key_start, self._line_after(self._content_end(node)), line)

    def _field(self, field: str, value, key: int) -> str:
        """A key and its value, as lines at column `key`."""
        pad = " " * key
        if field == "number":
            return pad + f"number: {value}\n"
        if field == "sub_indicators" or (field in _LISTS and self.styles.get(field) != "flow"):
            return pad + f"{field}:\n" + "".join(self._element(field, x, key + 2)
                                                 for x in value)
        if field in _LISTS:
            return pad + f"{field}: {flow(value, key)}\n"
        style = self.styles.get(field) if self.styles.get(field) in (">",) else None
        return pad + f"{field}: {scalar(str(value), key, style)}\n"

    def _element(self, field: str, value, dash: int) -> str:
        if field == "sub_indicators":
            name, target = value
            return (" " * dash + "- name: "
                    + scalar(name, dash + 2, self.styles.get("sub name")) + "\n"
                    + (" " * (dash + 2) + "target: "
                       + scalar(target, dash + 2, self.styles.get("sub target")) + "\n"
                       if target else ""))
        return " " * dash + "- " + scalar(value, dash + 2) + "\n"

    def _fresh(self, row: dict, indent: int) -> str:
        key = indent + 2
        lines = "".join(self._field(f, row[f], key) for f in self._order(row) if f in row)
        return " " * indent + "- " + lines[key:]


def _text(node) -> str | None:
    return node.value.strip() if isinstance(node, yaml.ScalarNode) else None


def _label(task) -> str:
    ordinal, name = _text(child(task, "ordinal")), _text(child(task, "name"))
    return f"（{ordinal}）{name}" if ordinal else (name or "")


def _value(node):
    """A value as the sheet's rows hold it: text, number, names, (name, target) pairs."""
    if isinstance(node, yaml.ScalarNode):
        return node.value.strip()
    items = node.value
    if items and isinstance(items[0], yaml.MappingNode):
        return tuple((_text(child(i, "name")), _text(child(i, "target"))) for i in items)
    return tuple(_text(i) for i in items)


def _groups(rows: list[dict]) -> list[tuple[str, list]]:
    """Consecutive rows of one domain, each split into consecutive rows of one task."""
    out: list[tuple[str, list]] = []
    for row in rows:
        domain, task = row.get("domain", ""), row.get("task", "")
        if not out or out[-1][0] != domain:
            out.append((domain, []))
        tasks = out[-1][1]
        if not tasks or tasks[-1][0] != task:
            tasks.append((task, []))
        tasks[-1][1].append(row)
    return out
