/*
 * cw-cards.js — cards of field units (力量) and emergency resources (应急资源) (plain ES2017, no build step;
 * loaded before cw-map.js, which calls CW.Cards when a unit's or resource's marker is clicked or a unit is
 * found by the search box).
 *
 * A unit's card: name, department, availability, its task's status and when it last reported. A resource's
 * card: its status (可用 / 使用中 / 维护中 / 不可用, in colour; anything else 状态未知 with the platform's word as
 * text), type, town, capacity, id and position. Both end with a dispatch: before offering it the card asks
 * Python (MapBridge.unitDispatch(id) / resourceDispatch(id) -> {enabled, reason, incident, nearby}).
 * With an incident selected, the button (派往所选事件 / 调派至所选事件) names it and sends to it, or is disabled
 * with the reason next to it; with none selected, the open incidents nearest the unit or resource are listed,
 * each a button of its own. Pressing one calls MapBridge.dispatchUnit(unitId, incidentId) /
 * dispatchResource(resourceId, incidentId): the app opens its dispatch dialog for that incident (the unit
 * ticked, or the resource named in the instructions). Every piece of text is set with textContent only; the
 * card's own words come from CW.t (cw-i18n.js).
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});

  /** A resource's status -> its colour; the words are CW.t("resource_status_" + status). */
  var RESOURCE_STATUS_COLORS = {
    available: "#30d158", in_use: "#ff9f0a", maintenance: "#ffd60a", unavailable: "#ff453a", unknown: "#8e8e93",
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function own(obj, key) {
    return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key)
      ? obj[key] : undefined;
  }

  function row(box, caption, value) {
    var line = el("div", "cw-card-row");
    line.appendChild(el("span", "cw-card-caption", caption));
    var shown = value instanceof Node ? value : el("span", null, value);
    shown.classList.add("cw-card-value");
    line.appendChild(shown);
    box.appendChild(line);
    return line;
  }

  /**
   * A resource's status as the map shows it: {status, text, color}. A status the page does not know (or
   * none) reads 状态未知, with what the platform said beside it as text.
   */
  CW.resourceStatus = function (r) {
    var status = own(RESOURCE_STATUS_COLORS, r.status) ? r.status : "unknown";
    var text = status === "unknown" && r.status_text
      ? CW.t("resource_status_other", { status: r.status_text }) : CW.t("resource_status_" + status);
    return { status: status, text: text, color: RESOURCE_STATUS_COLORS[status] };
  };

  function distanceText(metres) {
    return metres >= 1000 ? CW.t("unit_km", { value: CW.number(metres / 1000, 1, false) })
      : CW.t("unit_m", { value: CW.number(metres, 0, false) });
  }

  /** Write a unit's data into its card's title and lines ({department, state, task, reported}), as text. */
  function fillUnit(title, lines, u) {
    title.textContent = String(u.name);
    function put(line, text) { line.querySelector(".cw-card-value").textContent = String(text); }
    put(lines.department, u.department_label || u.department);
    put(lines.state, u.state_label || u.status_label);
    put(lines.task, u.task_label || CW.t("card_no_task"));
    put(lines.reported, u.stale ? CW.t("card_report_stale", { time: u.reported, age: u.report_age })
      : u.reported || "");
    lines.reported.classList.toggle("cw-stale", !!u.stale);
  }

  /** CW.Cards(map, {bridge()}) -> {unit(u), unitChanged(u), resource(r), shown()}: one card open at a time, as a
   * popup. */
  CW.Cards = function (map, options) {
    var popup = L.popup({ className: "cw-card-popup", maxWidth: 320, minWidth: 220, autoPanPadding: [20, 20] });
    var shown = null; // {kind, id} of the open card
    var unitCard = null; // {id, title, lines} of the last unit's card: the nodes its data is written into

    function open(latlng, box, kind, id) {
      shown = { kind: kind, id: id };
      popup.setLatLng(latlng).setContent(box);
      map.openPopup(popup);
    }

    map.on("popupclose", function (e) { if (e.popup === popup) shown = null; });

    /**
     * The dispatch part of a card for the unit or resource id: bridge[askMethod](id, done(json)) asks what may
     * be offered, bridge[sendMethod](id, incidentId) dispatches; label is the button's word. Adds the button,
     * the selected incident's line, the reason and the nearby incidents to box. A bridge without those
     * methods, or an answer that cannot be read, leaves the card saying so (never stuck on 正在确认…).
     */
    function dispatchPart(box, label, askMethod, sendMethod, id) {
      var button = el("button", "cw-card-dispatch", label);
      button.type = "button";
      button.disabled = true;
      var target = el("div", "cw-card-target");
      var reason = el("div", "cw-card-reason", CW.t("card_checking"));
      var nearby = el("div", "cw-card-nearby");
      var incidentId = null;
      box.appendChild(button);
      box.appendChild(target);
      box.appendChild(reason);
      box.appendChild(nearby);

      function say(text) {
        button.disabled = true;
        reason.textContent = text;
        button.title = text;
      }

      function go(incident) {
        var bridge = options.bridge();
        if (!incident) return;
        if (!bridge || typeof bridge[sendMethod] !== "function") {
          say(CW.t("card_not_connected"));
          return;
        }
        map.closePopup(popup); // the dialog takes over
        bridge[sendMethod](String(id), String(incident));
      }

      function show(json) {
        var offer = null;
        try {
          offer = JSON.parse(json);
        } catch (e) {
          offer = null;
        }
        if (!offer || typeof offer !== "object") {
          say(CW.t("card_offer_failed"));
          return;
        }
        var incident = own(offer, "incident");
        incidentId = incident ? incident.id : null;
        button.disabled = !(offer.enabled && incidentId);
        target.textContent = incident ? CW.t("card_selected_incident", { title: incident.title }) : "";
        reason.textContent = offer.enabled ? "" : String(offer.reason || "");
        button.title = reason.textContent;
        var list = own(offer, "nearby") || [];
        if (!Array.isArray(list) || !list.length) return;
        nearby.appendChild(el("div", "cw-card-caption", CW.t("card_nearby")));
        list.forEach(function (item) {
          var choice = el("button", "cw-card-nearby-item", CW.t("card_nearby_item", {
            title: item.title, distance: distanceText(Number(item.metres) || 0),
          }));
          choice.type = "button";
          choice.cwIncident = String(item.id);
          L.DomEvent.on(choice, "click", function () { go(item.id); });
          nearby.appendChild(choice);
        });
      }

      L.DomEvent.on(button, "click", function () { if (!button.disabled) go(incidentId); });
      var bridge = options.bridge();
      if (!bridge || typeof bridge[askMethod] !== "function") {
        say(CW.t("card_not_connected"));
        return;
      }
      try {
        bridge[askMethod](String(id), show);
      } catch (e) {
        say(CW.t("card_offer_failed"));
      }
    }

    return {
      /** The card of a field unit, with 派往所选事件 (or the open incidents nearby) as the app allows. */
      unit: function (u) {
        var box = el("div", "cw-card cw-unit-card");
        var title = el("div", "cw-card-title");
        box.appendChild(title);
        var lines = {
          department: row(box, CW.t("card_department"), ""), state: row(box, CW.t("card_status"), ""),
          task: row(box, CW.t("card_task"), ""), reported: row(box, CW.t("card_last_report"), ""),
        };
        fillUnit(title, lines, u);
        dispatchPart(box, CW.t("card_dispatch"), "unitDispatch", "dispatchUnit", u.id);
        L.DomEvent.disableClickPropagation(box);
        open([u.lat, u.lon], box, "unit", u.id);
        unitCard = { id: u.id, title: title, lines: lines };
      },

      /** A unit changed (moved, reported): its open card, if any, shows its new data where it is now (the
       * dispatch part stays as it was asked). */
      unitChanged: function (u) {
        if (!shown || shown.kind !== "unit" || shown.id !== u.id || !unitCard || unitCard.id !== u.id) return;
        fillUnit(unitCard.title, unitCard.lines, u);
        var at = popup.getLatLng();
        if (at && (at.lat !== u.lat || at.lng !== u.lon)) {
          var pan = popup.options.autoPan;
          popup.options.autoPan = false; // the card follows its unit; the map stays where the officer put it
          popup.setLatLng([u.lat, u.lon]);
          popup.options.autoPan = pan;
        }
      },

      /** The card of an emergency resource: status, kind, town, capacity, id, position, 调派至所选事件. */
      resource: function (r) {
        var box = el("div", "cw-card cw-resource-card");
        box.appendChild(el("div", "cw-card-title", r.name));
        var state = CW.resourceStatus(r);
        var status = el("span", "cw-card-status cw-resource-" + state.status);
        var dot = el("span", "cw-status-dot");
        dot.style.background = state.color;
        status.appendChild(dot);
        status.appendChild(el("span", "cw-status-text", state.text));
        status.style.color = state.color;
        row(box, CW.t("card_status"), status);
        row(box, CW.t("card_type"), r.type_label);
        if (r.town) row(box, CW.t("card_town"), r.town);
        if (r.capacity !== null && r.capacity !== undefined) row(box, CW.t("card_capacity"), r.capacity);
        if (r.id) row(box, CW.t("card_id"), r.id_text);
        row(box, CW.t("card_position"), CW.number(r.lon, 5, false) + ", " + CW.number(r.lat, 5, false));
        dispatchPart(box, CW.t("card_dispatch_resource"), "resourceDispatch", "dispatchResource", r.id);
        L.DomEvent.disableClickPropagation(box);
        open([r.lat, r.lon], box, "resource", r.id);
      },

      /** {kind, id} of the open card, or null. */
      shown: function () { return shown; },
    };
  };
})();
