"""A corpus of hostile and broken text, for every field that comes from outside the client.

Each entry is something an attacker or a buggy upstream system could put into a name, a title or a note:
template syntax of the engines Python and the web use, HTML and script, format strings, bidirectional and
invisible controls, very long and empty strings, NUL, emoji. Entries that would *do* something if evaluated
name a ``{canary}`` file to create or a ``{listener}`` URL to call; :func:`corpus` fills those in, so a test
can prove that nothing ran by checking that the file does not exist and the listener was never called.
"""

from __future__ import annotations

#: Templates of hostile strings; ``{canary}`` and ``{listener}`` are filled in by :func:`corpus`.
TEMPLATES: tuple[str, ...] = (
    # Jinja2 / branca / folium templates
    "{{7*7}}",
    "{% for x in range(3) %}X{% endfor %}",
    "{{ lipsum.__globals__.os.system('touch {canary}-jinja') }}",
    "{{ cycler.__init__.__globals__.os.popen('touch {canary}-popen').read() }}",
    "{{constructor.constructor('x')()}}",
    "{#",
    "{% raw %}",
    # other template and format-string engines
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{0.__class__.__mro__}",
    "%s%s%s%n%(x)s",
    "{x!r:>{y}}",
    # HTML and script, for the map page and Qt's rich-text guess
    "<b>粗体</b>",
    "<img src=x onerror=\"fetch('{listener}/img')\">",
    "<img src='{listener}/src'>",
    "\"><script>fetch('{listener}/script')</script>",
    "</script><script>document.title='pwned'</script>",
    "<svg onload=\"fetch('{listener}/svg')\">",
    "javascript:fetch('{listener}/js')",
    "A &amp; B &lt;tag&gt;",
    "\u2028\u2029",
    # bidirectional and invisible controls (Unicode TR36)
    "\u202egnp.exe",
    "\u2067临城街道\u2069\u202d反向",
    "零\u200b宽\u200c字\u200d符\ufeff",
    "\u061cالعربية",
    # control characters, sizes
    "NUL\x00inside",
    "bell\x07 escape\x1b[31mred",
    "多行\n第二行\r\n第三行",
    "",
    " ",
    "长" * 10_000,
    # emoji and CJK
    "🚒消防救援🌊防汛",
    "👨‍👩‍👧 family 🏳️‍🌈",
    "临城街道",
)


def corpus(canary: str = "/nonexistent/canary", listener: str = "http://127.0.0.1:9") -> list[str]:
    """The hostile strings with the canary file prefix and the listener URL filled in."""
    return [t.replace("{canary}", canary).replace("{listener}", listener) for t in TEMPLATES]
