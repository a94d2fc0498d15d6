/*
 * cw-i18n.js — the page's words and number formats (plain ES2017, no build step; the first of the cw-*.js).
 *
 * The page never spells a visible word itself. commandwall/mapdoc/strings.py puts the page's strings, already
 * in the chosen language, and the locale in the #cw-config data block; CW.t("key") returns one of them,
 * CW.t("key", {name: value}) fills its {name} fields (once, left to right: a value is never read as a field).
 * An unknown key is returned as it is, so a missing string shows as its key and not as nothing. Numbers go
 * through CW.number(value, digits), formatted for CW.locale. Callers set the results with textContent only.
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});
  var config = {};
  try {
    var block = document.getElementById("cw-config");
    config = (block && JSON.parse(block.textContent)) || {};
  } catch (err) {
    console.error("cw-map: page config unreadable: " + err);
  }
  var strings = config.strings && typeof config.strings === "object" ? config.strings : {};
  var has = Object.prototype.hasOwnProperty;

  /** The page's locale (a BCP 47 tag) for numbers. */
  CW.locale = typeof config.locale === "string" && config.locale ? config.locale : "zh-CN";

  /** The string called key, its {name} fields filled from fields (values as plain text). */
  CW.t = function (key, fields) {
    var text = has.call(strings, key) ? String(strings[key]) : String(key);
    if (!fields) return text;
    return text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (whole, name) {
      return has.call(fields, name) ? String(fields[name]) : whole;
    });
  };

  /** value with exactly digits decimals in the page's locale; grouping off for coordinates. */
  CW.number = function (value, digits, grouping) {
    var options = { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: grouping !== false };
    try {
      return Number(value).toLocaleString(CW.locale, options);
    } catch (err) { // an unknown locale tag: the browser's own
      return Number(value).toLocaleString(undefined, options);
    }
  };
})();
