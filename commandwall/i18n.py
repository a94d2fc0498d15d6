"""The client's visible text through Qt's translation system, with Simplified Chinese as the source text.

Every string a user sees is written in Chinese where it is made and marked for ``pyside6-lupdate``:

* ``translate(context, text)`` where the text is shown or built (any layer; Qt-free code included);
* ``QT_TRANSLATE_NOOP(context, text)`` in tables built at import time (labels by status, by priority …); the
  code that shows such a label passes it through ``translate(context, label)`` with the same context.

Templates keep ``{name}`` fields and are formatted after translation, so a translator can move the fields.
The Qt-free layers (``app/``, ``domain/``, ``video/`` …) call ``translate`` from here; the UI puts Qt's
``QCoreApplication.translate`` behind it at start (``install``), so they never import Qt. Without an installed
translator, or without a translation for a string, the Chinese source text is shown: the default language
cannot fall back to anything else.
"""

from __future__ import annotations

from collections.abc import Callable

#: The longest English title (``title_en``) a layer may carry, in characters: as long as a user layer's title.
MAX_TITLE_CHARS = 60

_translator: Callable[[str, str], str] | None = None
_generation = 0


def install(translator: Callable[[str, str], str] | None) -> None:
    """Put ``translator(context, text) -> text`` behind ``translate`` (``None``: the source text again)."""
    global _translator, _generation
    _translator = translator
    _generation += 1


def generation() -> int:
    """A number that changes with each :func:`install`: text translated before may read otherwise since."""
    return _generation


def translate(context: str, text: str, /) -> str:
    """``text`` in the chosen language (the Chinese source text when no translation is installed or known)."""
    if _translator is None:
        return text
    translated = _translator(context, text)
    return translated or text


def QT_TRANSLATE_NOOP(context: str, text: str, /) -> str:  # noqa: N802 - the marker's name lupdate looks for
    """Mark ``text`` for the catalogue without translating it now (tables built at import time)."""
    return text


#: The chosen language's code, as its catalogue translates this marker (context ``i18n``): ``zh`` without one.
LANGUAGE_CODE = QT_TRANSLATE_NOOP("i18n", "zh")


def language() -> str:
    """The code of the language text is shown in: ``zh`` (the source text's), or ``en`` with the English
    catalogue installed. For data that carries its own words in a second language (a layer's ``title_en``)."""
    return translate("i18n", LANGUAGE_CODE)


def english_title(value: object) -> str | None:
    """A layer's ``title_en`` as a layer folder's manifest or the platform's catalogue gives it: a non-blank
    string of at most :data:`MAX_TITLE_CHARS` characters, stripped; None for anything else (none given, a
    number, a blank or longer string …: the layer keeps its title)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TITLE_CHARS:
        return None
    return value.strip()
