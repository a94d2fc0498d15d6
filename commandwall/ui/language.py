"""The window's language: Qt's translators for the chosen language, the locale for dates and numbers.

Simplified Chinese is the source text, so it needs no catalogue of ours, only Qt's own (standard buttons,
dialogs, the web view's menus). English loads ``resources/i18n/commandwall_en.qm`` (compiled at set-up from the
committed ``.ts`` catalogues, ``scripts/i18n.py``); when it is missing the window says so in the log and stays
in Chinese rather than showing a mixture. Either way :func:`commandwall.i18n.translate` is put behind Qt's
``QCoreApplication.translate``, so every layer speaks the language chosen here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDateTime, QLibraryInfo, QLocale, QTimeZone, QTranslator
from PySide6.QtWebEngineCore import QWebEngineProfile

from commandwall import i18n, paths
from commandwall.config import DEFAULT_LANGUAGE
from commandwall.i18n import translate

log = logging.getLogger(__name__)

#: Each language by its own name, as a language menu shows it (the same whatever the window's language)
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}
#: What the map page's requests ask for (Accept-Language)
ACCEPT_LANGUAGE = {"zh_CN": "zh-CN,zh;q=0.9", "en": "en-US,en;q=0.9"}


def catalogue_path(language: str):
    """The compiled catalogue of ``language`` (None for the source language, Simplified Chinese)."""
    return None if language == DEFAULT_LANGUAGE else paths.resources_dir() / "i18n" / f"commandwall_{language}.qm"


def locale_for(language: str) -> QLocale:
    """The locale that formats dates and numbers for ``language``."""
    if language == "en":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return QLocale(QLocale.Language.Chinese, QLocale.Script.SimplifiedHanScript, QLocale.Country.China)


def install_language(app, language: str) -> str:
    """Install the translators of ``language`` (``zh_CN`` or ``en``) on ``app``; returns the language in effect.

    Call once the QApplication exists and before any window is built: widgets take their text when made. The
    translators are kept in ``app._translators`` (alive as long as the application).
    """
    app._translators = getattr(app, "_translators", [])
    effective = language if language in LANGUAGE_NAMES else DEFAULT_LANGUAGE
    catalogue = catalogue_path(effective)
    if catalogue is not None:
        translator = QTranslator(app)
        if catalogue.is_file() and translator.load(str(catalogue)):
            app.installTranslator(translator)
            app._translators.append(translator)
        else:
            log.warning("no %s translation: %s is missing or unreadable (make setup compiles it from "
                        "resources/i18n/*.ts); the window stays in Simplified Chinese", language, catalogue)
            effective = DEFAULT_LANGUAGE
    if effective == DEFAULT_LANGUAGE:
        _install_qt_catalogues(app, effective)
    i18n.install(QCoreApplication.translate)
    QLocale.setDefault(locale_for(effective))
    QWebEngineProfile.defaultProfile().setHttpAcceptLanguage(ACCEPT_LANGUAGE[effective])
    app._language = effective
    return effective


def _install_qt_catalogues(app, language: str) -> None:
    """Qt's own strings (standard buttons, dialogs, the web view's menus) in ``language``."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for catalogue in ("qtbase", "qtwebengine"):
        translator = QTranslator(app)
        if translator.load(QLocale(language), catalogue, "_", folder):
            app.installTranslator(translator)
            app._translators.append(translator)
        else:
            log.info("no %s translation for %s in %s", catalogue, language, folder)


def current_language() -> str:
    """The language the window runs in (``zh_CN`` before :func:`install_language`)."""
    app = QCoreApplication.instance()
    return getattr(app, "_language", DEFAULT_LANGUAGE)


def format_time(moment: datetime, pattern: str = "HH:mm:ss") -> str:
    """``moment`` (an aware datetime, already in the display zone) as the locale writes the Qt ``pattern``."""
    offset = moment.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    shown = QDateTime(moment.date(), moment.time().replace(tzinfo=None), QTimeZone.fromSecondsAheadOfUtc(seconds))
    return QLocale().toString(shown, pattern)


def format_day(moment: datetime) -> str:
    """The day of ``moment`` without the year, as the chosen language writes it (``12月2日``, ``Dec 2``)."""
    return QLocale().toString(moment.date(), translate("DateFormat", "M月d日"))


def format_number(value: float, decimals: int = 0) -> str:
    """``value`` with the locale's digit grouping and decimal point."""
    return QLocale().toString(float(value), "f", decimals) if decimals else QLocale().toString(round(value))
