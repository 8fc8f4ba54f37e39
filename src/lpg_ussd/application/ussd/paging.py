"""Fitting a screen into a gateway's limit by paging, never by cutting words."""

from __future__ import annotations


def _split_long_line(line: str, width: int) -> list[str]:
    """Break a line that alone exceeds the room at word boundaries (hard-cut only a huge word)."""
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        while len(word) > width:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > width:
            pieces.append(current)
            current = word
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def paginate(lines: list[str], limit: int, more: str, back: str) -> list[str]:
    """Pack lines into pages of at most `limit` characters.

    Every page but the last ends with the `more` line; every page after the first with `back`.
    """
    whole = "\n".join(lines)
    if len(whole) <= limit:
        return [whole]
    footer_room = len(more) + len(back) + 2
    room = limit - footer_room - 1
    units: list[str] = []
    for line in lines:
        units.extend(_split_long_line(line, room) if len(line) > room else [line])
    pages: list[list[str]] = [[]]
    for unit in units:
        body = "\n".join([*pages[-1], unit])
        if pages[-1] and len(body) > room:
            pages.append([unit])
        else:
            pages[-1].append(unit)
    rendered: list[str] = []
    for index, body_lines in enumerate(pages):
        footer = []
        if index < len(pages) - 1:
            footer.append(more)
        if index > 0 and back:
            footer.append(back)
        rendered.append("\n".join([*body_lines, *footer]))
    return rendered
