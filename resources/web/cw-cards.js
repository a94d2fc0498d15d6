/*
 * cw-cards.js — cards of field units (力量) and emergency resources (应急资源) (plain ES2017, no build step;
 * loaded before cw-map.js, which calls CW.Cards when a unit's or resource's marker is clicked).
 *
 * A unit's card: name, department, availability, its task's status and when it last reported, and a button
 * 派往所选事件. Before offering it the card asks Python (MapBridge.unitDispatch(id) -> {enabled, reason}); a
 * disabled button says why next to it. Pressing it calls MapBridge.dispatchUnit(id): the app opens its dispatch
 * dialog for the selected incident with that unit ticked. A resource's card lists its details. Every piece of
 * text is set with textContent only; the card's own words come from CW.t (cw-i18n.js).
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function row(box, caption, value) {
    var line = el("div", "cw-card-row");
    line.appendChild(el("span", "cw-card-caption", caption));
    line.appendChild(el("span", "cw-card-value", value));
    box.appendChild(line);
  }

  /** CW.Cards(map, {bridge()}) -> {unit(u), resource(r), shown()}: one card open at a time, as a popup. */
  CW.Cards = function (map, options) {
    var popup = L.popup({ className: "cw-card-popup", maxWidth: 320, minWidth: 220, autoPanPadding: [20, 20] });
    var shown = null; // {kind, id} of the open card

    function open(latlng, box, kind, id) {
      shown = { kind: kind, id: id };
      popup.setLatLng(latlng).setContent(box);
      map.openPopup(popup);
    }

    map.on("popupclose", function (e) { if (e.popup === popup) shown = null; });

    return {
      /** The card of a field unit, with 派往所选事件 (enabled only when the app says it may be sent). */
      unit: function (u) {
        var box = el("div", "cw-card cw-unit-card");
        box.appendChild(el("div", "cw-card-title", u.name));
        row(box, CW.t("card_department"), u.department);
        row(box, CW.t("card_status"), u.state_label || u.status_label);
        row(box, CW.t("card_task"), u.task_label || CW.t("card_no_task"));
        row(box, CW.t("card_last_report"), u.reported || "");
        var button = el("button", "cw-card-dispatch", CW.t("card_dispatch"));
        button.type = "button";
        button.disabled = true;
        var reason = el("div", "cw-card-reason", CW.t("card_checking"));
        box.appendChild(button);
        box.appendChild(reason);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.on(button, "click", function () {
          var bridge = options.bridge();
          if (button.disabled || !bridge) return;
          map.closePopup(popup);
          bridge.dispatchUnit(u.id);
        });
        var bridge = options.bridge();
        if (bridge && typeof bridge.unitDispatch === "function") {
          bridge.unitDispatch(u.id, function (json) {
            var state = JSON.parse(json);
            button.disabled = !state.enabled;
            reason.textContent = state.enabled ? "" : String(state.reason || "");
            button.title = reason.textContent;
          });
        } else {
          reason.textContent = CW.t("card_not_connected");
        }
        open([u.lat, u.lon], box, "unit", u.id);
      },

      /** The card of an emergency resource: name, kind, town, capacity, id and position. */
      resource: function (r) {
        var box = el("div", "cw-card cw-resource-card");
        box.appendChild(el("div", "cw-card-title", r.name));
        row(box, CW.t("card_type"), r.type_label);
        if (r.town) row(box, CW.t("card_town"), r.town);
        if (r.capacity !== null && r.capacity !== undefined) row(box, CW.t("card_capacity"), r.capacity);
        if (r.id) row(box, CW.t("card_id"), r.id_text);
        row(box, CW.t("card_position"), CW.number(r.lon, 5, false) + ", " + CW.number(r.lat, 5, false));
        L.DomEvent.disableClickPropagation(box);
        open([r.lat, r.lon], box, "resource", r.id);
      },

      /** {kind, id} of the open card, or null. */
      shown: function () { return shown; },
    };
  };
})();
