"""Ruled tables of a PDF page rebuilt from pdfium alone: ruling segments from path objects, text from
positioned characters. No pdfminer, so a page costs milliseconds instead of pdfplumber's ~70 ms.

The grid follows the ruling lines: every distinct x of a vertical rule and y of a horizontal rule of
one connected group of rules is a column/row boundary. Two neighbouring slots belong to one merged
cell when the rule between them is missing; a merged cell's text is repeated in every slot it covers
(the ``model.table_block`` convention). A character belongs to the slot holding the centre of its box.
Tolerances follow pdfplumber's defaults (3 pt), so both readings see the same grid on the same page.
"""

from __future__ import annotations

import bisect
import ctypes
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipelines.documents.textutil import normalize_space, strip_cid

_CJK_CLASS = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# Justified CJK lines come out as "号 ， 邮 编"; a space between two CJK characters never carries
# meaning in Chinese, so drop it.
_CJK_GAP = re.compile(rf"(?<=[{_CJK_CLASS}]) +(?=[{_CJK_CLASS}])")
_TOLERANCE = 3.0  # points: snapping, joining and intersecting rules; word and line gaps
# A filled rectangle thinner than this is drawn as a rule (Word/WPS draw table borders that way);
# path bounds include the stroke width, so a stroked line is ~1 pt "thick".
_THIN = 3.0
_MIN_RULE_LENGTH = 3.0
# A path of move + 3-4 lines (+ close) is a rectangle or a line; more segments is a compound path
# whose segments must be read one by one.
_MAX_SIMPLE_SEGMENTS = 6

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in top-down page coordinates


def clean_pdf_text(text: str) -> str:
    return _CJK_GAP.sub("", normalize_space(strip_cid(text)))


@dataclass(frozen=True)
class Rule:
    """An axis-aligned ruling segment in PDF user space (y grows upwards): ``at`` is its y when
    horizontal, its x when vertical; ``low``..``high`` its extent along the other axis."""

    at: float
    low: float
    high: float


@dataclass
class PositionedTable:
    rows: list[list[str]]  # merged cells repeated, like model.table_block expects
    box: Box


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    top: float  # top-down, from the loose (font) box, so one line's characters share it
    bottom: float
    cx: float
    cy: float  # PDF user space centre


# --- rules ---------------------------------------------------------------------------------------


def page_rules(page: pdfium.PdfPage) -> tuple[list[Rule], list[Rule]] | None:
    """Horizontal and vertical ruling segments drawn on the page; None when the page draws through
    form XObjects, whose contents pdfium reports in the form's own coordinate space."""
    horizontal: list[Rule] = []
    vertical: list[Rule] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM], max_depth=0):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            return None
        segments = pdfium_c.FPDFPath_CountSegments(obj.raw)
        if segments > _MAX_SIMPLE_SEGMENTS:
            _compound_rules(obj, segments, horizontal, vertical)
            continue
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if height <= _THIN and width >= _MIN_RULE_LENGTH:
            horizontal.append(Rule((bottom + top) / 2, left, right))
        elif width <= _THIN and height >= _MIN_RULE_LENGTH:
            vertical.append(Rule((left + right) / 2, bottom, top))
        elif segments >= 4 and width > _THIN and height > _THIN:  # a rectangle: its four edges
            horizontal += [Rule(bottom, left, right), Rule(top, left, right)]
            vertical += [Rule(left, bottom, top), Rule(right, bottom, top)]
    return horizontal, vertical


def _compound_rules(obj: pdfium.PdfObject, count: int, horizontal: list[Rule], vertical: list[Rule]) -> None:
    """Axis-aligned straight segments of a path drawing several lines (e.g. a whole grid) at once."""
    a, b, c, d, e, f = obj.get_matrix().get()
    x, y = ctypes.c_float(), ctypes.c_float()
    start: tuple[float, float] | None = None
    current: tuple[float, float] | None = None
    for index in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
            _add_segment(current, point, horizontal, vertical)
        elif kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        current = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            _add_segment(point, start, horizontal, vertical)
            current = start


def _add_segment(
    p: tuple[float, float], q: tuple[float, float], horizontal: list[Rule], vertical: list[Rule]
) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) <= 0.5 and abs(x1 - x0) >= _MIN_RULE_LENGTH:
        horizontal.append(Rule((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x0 - x1) <= 0.5 and abs(y1 - y0) >= _MIN_RULE_LENGTH:
        vertical.append(Rule((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def merge_rules(rules: list[Rule]) -> list[Rule]:
    """Snap nearly collinear rules to one position and join overlapping or touching pieces (a thin
    rectangle's two long edges become one rule, a border drawn cell by cell becomes one line)."""
    merged: list[Rule] = []
    ordered = sorted(rules, key=lambda r: r.at)
    group: list[Rule] = []
    for rule in [*ordered, None]:
        if rule is not None and (not group or rule.at - group[-1].at <= _TOLERANCE):
            group.append(rule)
            continue
        if group:
            at = sum(r.at for r in group) / len(group)
            pieces = sorted(group, key=lambda r: r.low)
            low, high = pieces[0].low, pieces[0].high
            for piece in pieces[1:]:
                if piece.low <= high + _TOLERANCE:
                    high = max(high, piece.high)
                else:
                    merged.append(Rule(at, low, high))
                    low, high = piece.low, piece.high
            merged.append(Rule(at, low, high))
        group = [rule] if rule is not None else []
    return merged


def _crosses(h: Rule, v: Rule) -> bool:
    return (
        h.low - _TOLERANCE <= v.at <= h.high + _TOLERANCE
        and v.low - _TOLERANCE <= h.at <= v.high + _TOLERANCE
    )


def connected_groups(horizontal: list[Rule], vertical: list[Rule]) -> list[tuple[list[Rule], list[Rule]]]:
    """Rules that touch each other (directly or through other rules) draw one table."""
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if _crosses(h, v):
                parent[find(i)] = find(len(horizontal) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = defaultdict(lambda: ([], []))
    for i, h in enumerate(horizontal):
        groups[find(i)][0].append(h)
    for j, v in enumerate(vertical):
        groups[find(len(horizontal) + j)][1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


# --- grid ----------------------------------------------------------------------------------------


class _Grid:
    """The fine grid of one group of rules and which rules separate its slots."""

    def __init__(self, horizontal: list[Rule], vertical: list[Rule]) -> None:
        self.xs = sorted({v.at for v in vertical})
        self.ys = sorted({h.at for h in horizontal}, reverse=True)  # top row first
        self._negated_ys = [-y for y in self.ys]  # ascending, for bisect
        self._by_x: dict[float, list[Rule]] = defaultdict(list)
        self._by_y: dict[float, list[Rule]] = defaultdict(list)
        for v in vertical:
            self._by_x[v.at].append(v)
        for h in horizontal:
            self._by_y[h.at].append(h)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1

    def vertical_rule(self, k: int, row: int) -> bool:
        """Is there a rule at xs[k] along the whole height of ``row``?"""
        high, low = self.ys[row], self.ys[row + 1]
        return any(r.low <= low + _TOLERANCE and r.high >= high - _TOLERANCE for r in self._by_x[self.xs[k]])

    def horizontal_rule(self, k: int, col: int) -> bool:
        low, high = self.xs[col], self.xs[col + 1]
        return any(r.low <= low + _TOLERANCE and r.high >= high - _TOLERANCE for r in self._by_y[self.ys[k]])

    def cells(self) -> list[list[int]]:
        """Per slot, the id of the merged cell covering it, or -1 where no closed cell does."""
        rows, cols = self.shape
        parent = list(range(rows * cols))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for r in range(rows):
            for c in range(cols):
                if c + 1 < cols and not self.vertical_rule(c + 1, r):
                    parent[find(r * cols + c)] = find(r * cols + c + 1)
                if r + 1 < rows and not self.horizontal_rule(r + 1, c):
                    parent[find(r * cols + c)] = find((r + 1) * cols + c)
        owner = [[find(r * cols + c) for c in range(cols)] for r in range(rows)]
        open_cells = {owner[r][c] for r in range(rows) for c in range(cols) if not self._closed(owner, r, c)}
        return [[-1 if o in open_cells else o for o in row] for row in owner]

    def _closed(self, owner: list[list[int]], r: int, c: int) -> bool:
        """A slot on the edge of its cell needs a rule there (an open side is not a cell)."""
        rows, cols = self.shape
        me = owner[r][c]
        if (c == 0 or owner[r][c - 1] != me) and not self.vertical_rule(c, r):
            return False
        if (c == cols - 1 or owner[r][c + 1] != me) and not self.vertical_rule(c + 1, r):
            return False
        if (r == 0 or owner[r - 1][c] != me) and not self.horizontal_rule(r, c):
            return False
        return not ((r == rows - 1 or owner[r + 1][c] != me) and not self.horizontal_rule(r + 1, c))

    def slot_of(self, x: float, y: float) -> tuple[int, int] | None:
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[-1] <= y <= self.ys[0]):
            return None
        col = min(bisect.bisect_right(self.xs, x) - 1, len(self.xs) - 2)
        row = min(bisect.bisect_right(self._negated_ys, -y) - 1, len(self.ys) - 2)
        return row, col


class PageText:
    """A page's characters read once: text and tight box per pdfium character index (the index
    space of ``get_text_range``), loose (font) boxes fetched only for characters inside a table."""

    def __init__(self, textpage: pdfium.PdfTextPage, page_height: float) -> None:
        self.textpage = textpage
        self.height = page_height
        raw = textpage.raw
        count = textpage.count_chars()
        left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        self.text: list[str] = []
        self.boxes: list[tuple[float, float, float, float]] = []  # left, bottom, right, top (PDF space)
        self._chars: dict[int, _Char] = {}  # loose boxes, shared by the grid and the text-line reading
        for index in range(count):
            code = pdfium_c.FPDFText_GetUnicode(raw, index)
            generated = pdfium_c.FPDFText_IsGenerated(raw, index) == 1
            self.text.append(" " if generated or not code else chr(code))
            pdfium_c.FPDFText_GetCharBox(raw, index, left, right, bottom, top)
            self.boxes.append((left.value, bottom.value, right.value, top.value))

    def visible(self) -> list[int]:
        return [i for i, text in enumerate(self.text) if not text.isspace()]

    def char(self, index: int) -> _Char:
        cached = self._chars.get(index)
        if cached is not None:
            return cached
        rect = pdfium_c.FS_RECTF()
        pdfium_c.FPDFText_GetLooseCharBox(self.textpage.raw, index, rect)
        tight = self.boxes[index]
        char = _Char(
            text=self.text[index],
            x0=rect.left,
            x1=rect.right,
            top=self.height - rect.top,
            bottom=self.height - rect.bottom,
            cx=(tight[0] + tight[2]) / 2,
            cy=(tight[1] + tight[3]) / 2,
        )
        self._chars[index] = char
        return char


def cell_text(chars: list[_Char]) -> str:
    """Characters → lines (tops within 3 pt) → words (gaps over 3 pt), as pdfplumber joins them."""
    if not chars:
        return ""
    lines: list[list[_Char]] = []
    for char in sorted(chars, key=lambda ch: ch.top):
        if lines and char.top - lines[-1][-1].top <= _TOLERANCE:
            lines[-1].append(char)
        else:
            lines.append([char])
    rendered: list[str] = []
    for line in lines:
        parts: list[str] = []
        previous: _Char | None = None
        for char in sorted(line, key=lambda ch: ch.x0):
            if previous is not None and char.x0 > previous.x1 + _TOLERANCE:
                parts.append(" ")
            parts.append(char.text)
            previous = char
        rendered.append("".join(parts))
    return clean_pdf_text("\n".join(rendered))


def _is_full_width(owner_row: list[int]) -> bool:
    return len(set(owner_row)) == 1


def grid_table(grid: _Grid, text: PageText) -> PositionedTable | None:
    owner = grid.cells()
    rows, cols = grid.shape
    by_cell: dict[int, list[_Char]] = defaultdict(list)
    for index in text.visible():
        box = text.boxes[index]
        slot = grid.slot_of((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        if slot is not None and owner[slot[0]][slot[1]] >= 0:
            by_cell[owner[slot[0]][slot[1]]].append(text.char(index))
    page_height = text.height
    texts = {cell: cell_text(members) for cell, members in by_cell.items()}
    # Word/WPS draw a rule under every text line; the prose around a table then looks like
    # full-width single-cell rows glued to it. Those rows go back to the text flow.
    first, last = 0, rows
    while first < last and _is_full_width(owner[first]):
        first += 1
    while last > first and _is_full_width(owner[last - 1]):
        last -= 1
    if last - first < 2 or cols < 2:
        return None
    used_cols = [c for c in range(cols) if any(owner[r][c] >= 0 for r in range(first, last))]
    box = (
        grid.xs[used_cols[0]],
        page_height - grid.ys[first],
        grid.xs[used_cols[-1] + 1],
        page_height - grid.ys[last],
    )
    table_rows = [
        [texts.get(owner[r][c], "") if owner[r][c] >= 0 else "" for c in range(cols)]
        for r in range(first, last)
    ]
    return PositionedTable(rows=table_rows, box=box)


def positioned_tables(page: pdfium.PdfPage, text: PageText) -> list[PositionedTable] | None:
    """The page's ruled tables (2+ rows and columns after trimming), top to bottom; None when the
    rulings cannot be placed by pdfium (form XObjects) and another reader must look."""
    rules = page_rules(page)
    if rules is None:
        return None
    groups = connected_groups(merge_rules(rules[0]), merge_rules(rules[1]))
    if not groups:
        return []
    tables = []
    for horizontal, vertical in groups:
        grid = _Grid(horizontal, vertical)
        if min(grid.shape) < 1:
            continue
        table = grid_table(grid, text)
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: t.box[1])


# --- second reading: text lines, no rulings ----------------------------------------------------------

# A cell value as a plain-text report prints it: a number (thousands separators, decimals, sign) or
# a dash/slash standing for "none". Anything else is label text.
_VALUE_TOKEN = re.compile(r"^[+\-－]?[\d,，.．]+$|^[/／—\-－–]+$")


@dataclass
class _Token:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class _TextLine:
    tokens: list[_Token]
    top: float
    bottom: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def values(self) -> list[_Token]:
        """The trailing run of value tokens: a row's numbers follow its label."""
        count = 0
        for token in reversed(self.tokens):
            if not _VALUE_TOKEN.match(token.text):
                break
            count += 1
        return self.tokens[len(self.tokens) - count :] if count else []

    @property
    def label(self) -> list[_Token]:
        return self.tokens[: len(self.tokens) - len(self.values)]


@dataclass
class _Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def _glyph(text: PageText, index: int, ink_height: float) -> _Glyph:
    """A character's box for line building: the loose (font) box, which one line's characters share,
    unless it is implausibly large for the table's text (some WPS fonts report boxes of 200 pt for
    vertically set cells); then the tight (ink) box."""
    char = text.char(index)
    left, bottom, right, top = text.boxes[index]
    limit = 2.5 * ink_height
    if char.bottom - char.top <= limit and char.x1 - char.x0 <= limit:
        return _Glyph(char.text, char.x0, char.x1, char.top, char.bottom)
    return _Glyph(char.text, left, right, text.height - top, text.height - bottom)


def _text_lines(glyphs: list[_Glyph]) -> list[_TextLine]:
    """Characters → lines (box middles within 3 pt) → tokens (horizontal gaps over 3 pt)."""
    lines: list[list[_Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: (g.top + g.bottom) / 2):
        middle = (glyph.top + glyph.bottom) / 2
        if lines and middle - (lines[-1][0].top + lines[-1][0].bottom) / 2 <= _TOLERANCE:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    result: list[_TextLine] = []
    for members in lines:
        tokens: list[_Token] = []
        current: list[_Glyph] = []
        ordered: list[_Glyph | None] = [*sorted(members, key=lambda g: g.x0), None]
        for member in ordered:
            if current and (member is None or member.x0 > max(g.x1 for g in current) + _TOLERANCE):
                text = clean_pdf_text("".join(g.text for g in current))
                if text:
                    tokens.append(
                        _Token(
                            text,
                            current[0].x0,
                            max(g.x1 for g in current),
                            min(g.top for g in current),
                            max(g.bottom for g in current),
                        )
                    )
                current = []
            if member is not None:
                current.append(member)
        if tokens:
            result.append(_TextLine(tokens, min(t.top for t in tokens), max(t.bottom for t in tokens)))
    return result


def _label_text(fragments: list[_Token]) -> str:
    """Label fragments in reading order: column by column (tokens whose x ranges overlap share a
    column), top to bottom within a column, so a wrapped label cell reads as one phrase."""
    columns: list[list[_Token]] = []
    for token in sorted(fragments, key=lambda t: t.x0):
        column = next((c for c in columns if any(t.x0 < token.x1 and token.x0 < t.x1 for t in c)), None)
        if column is None:
            columns.append([token])
        else:
            column.append(token)
    parts = [token.text for column in columns for token in sorted(column, key=lambda t: t.top)]
    return clean_pdf_text(" ".join(parts))


# The start of a numbered row label (一、 （三） 3.): a line starting so is the first line of a row.
_ROW_START = re.compile(r"^(?:\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)")


def _owner(token: _Token, line: _TextLine, anchors: list[_TextLine]) -> _TextLine | None:
    """The number line a label fragment without numbers belongs to: the nearest one within about a
    line pitch whose numbers all lie right of the fragment's whole line (a line with text over the
    number columns is a header). A fragment opening a numbered label is the first line of its cell,
    so its numbers lie below, and it cannot continue a label that opens with its own number (that
    fragment is a row without numbers, e.g. all blanks)."""
    middle = (token.top + token.bottom) / 2
    reach = 1.25 * (token.bottom - token.top)
    line_right = max(t.x1 for t in line.tokens)
    numbered = bool(_ROW_START.match(token.text))
    near = []
    for anchor in anchors:
        if abs(anchor.middle - middle) > reach or line_right >= anchor.values[0].x0:
            continue
        if numbered:
            same_column = [t for t in anchor.label if t.x0 < token.x1 and token.x0 < t.x1]
            if anchor.middle <= middle or any(_ROW_START.match(t.text) for t in same_column):
                continue
        near.append(anchor)
    return min(near, key=lambda a: abs(a.middle - middle), default=None)


def table_text_lines(text: PageText, box: Box) -> list[str]:
    """The table inside ``box`` rebuilt from positioned characters alone, without its rulings: one
    line per row that holds numbers, ``label  value  value …`` as a plain-text report prints it.

    A label cell that wraps puts its numbers on one of its lines (usually the middle one); the other
    lines hold only label text left of those numbers and join the number line they belong to
    (``_owner``), so the row reads with its whole label. Text without numbers that no number line
    claims (headers, notes, rows left blank) is left out: the line reader reads rows, not headers.
    """
    x0, top, x1, bottom = box
    height = text.height
    inside = []
    for index in text.visible():
        b = text.boxes[index]
        cx, cy = (b[0] + b[2]) / 2, height - (b[1] + b[3]) / 2
        if x0 <= cx <= x1 and top <= cy <= bottom:
            inside.append(index)
    if not inside:
        return []
    ink_height = max(statistics.median(text.boxes[i][3] - text.boxes[i][1] for i in inside), 1.0)
    lines = _text_lines([_glyph(text, index, ink_height) for index in inside])
    anchors = [line for line in lines if line.values]
    fragments: dict[int, list[_Token]] = {id(line): list(line.label) for line in anchors}
    for line in lines:
        if line.values:
            continue
        for token in line.tokens:
            anchor = _owner(token, line, anchors)
            if anchor is not None:
                fragments[id(anchor)].append(token)
    rendered = []
    for line in anchors:
        label = _label_text(fragments[id(line)])
        rendered.append(
            "  ".join([label, *(t.text for t in line.values)] if label else [t.text for t in line.values])
        )
    return rendered
