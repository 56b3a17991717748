// maskstream live dashboard: renders the snapshot the server pushes once a second (server-sent events on
// /events, the same JSON as /api/state). No framework, no network beyond this server; charts and each
// camera's faces on canvas. Every value from the events is written with textContent, never as HTML.
"use strict";

(function () {
  const MASK = { WORN: "mask worn", INCORRECT: "incorrectly worn", NONE: "no mask" };
  const MASK_ORDER = ["WORN", "INCORRECT", "NONE"];
  const MASK_SHORT = { WORN: "worn", INCORRECT: "incorrect", NONE: "none" };
  const GENDER = { MALE: "male", FEMALE: "female" };
  const AGE = { UNDER_30: "under 30", FROM_30_TO_59: "30 to 59", FROM_60: "60 and over" };
  const ALERT_KIND = { NO_MASK: "No mask", INCORRECT_MASK: "Incorrectly worn mask" };
  const ALERT_BADGE_MS = 60000;
  const FACE_CHIPS = 8;
  const SEVERITY = { WORN: 0, INCORRECT: 1, NONE: 2 };
  const MASK_COLOR = { WORN: "--worn", INCORRECT: "--incorrect", NONE: "--none" };

  const number = new Intl.NumberFormat("en-US");
  const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  const $ = (id) => document.getElementById(id);

  let latest = null;
  const cards = new Map();
  const scenes = new Map(); // camera id -> { camera, src, image, key }: what its canvas shows
  const seenAlerts = new Set();
  let firstAlertRender = true;

  // ---------- small helpers ----------

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function pct(p) {
    return (typeof p === "number" && isFinite(p)) ? Math.round(p * 100) + "%" : "–";
  }

  function ms(v) {
    return (typeof v === "number" && isFinite(v)) ? number.format(Math.round(v)) : "–";
  }

  function clock(t) {
    return t ? new Date(t).toLocaleTimeString([], { hour12: false }) : "–";
  }

  function dateTime(t) {
    return t ? new Date(t).toLocaleString([], { hour12: false }) : "–";
  }

  function ago(now, t) {
    if (!t) return "–";
    const s = Math.max(0, Math.round((now - t) / 1000));
    if (s < 60) return s + " s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    return Math.round(s / 3600) + " h ago";
  }

  function bytes(n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return decimal.format(n / 1024) + " KB";
    return decimal.format(n / 1024 / 1024) + " MB";
  }

  function setText(node, text) {
    const s = String(text);
    if (node.textContent !== s) node.textContent = s;
  }

  // ---------- totals ----------

  function renderTotals(s) {
    const t = s.totals;
    setText($("kpi-events"), number.format(t.events));
    $("kpi-events").dataset.value = String(t.events);
    setText($("kpi-rate"), decimal.format(t.eventsPerSecond));
    setText($("kpi-p50"), ms(t.latencyP50Ms));
    setText($("kpi-p99"), ms(t.latencyP99Ms));
    setText($("kpi-alerts"), number.format(t.alerts));
    $("kpi-alerts").dataset.value = String(t.alerts);
    const kinds = Object.entries(t.alertsByKind || {}).map(([k, n]) => n + " " + (ALERT_KIND[k] || k).toLowerCase());
    setText($("kpi-alerts-hint"), kinds.length ? kinds.join(", ") : "none yet");
    const live = s.cameras.filter((c) => !c.stale).length;
    setText($("kpi-cameras"), number.format(t.cameras));
    setText($("kpi-cameras-hint"), live + " live");
    const serving = s.models.serving.map((m) => m.version);
    setText($("kpi-model"), serving.length ? serving.join(", ") : "–");
    $("kpi-model").title = serving.join(", ");
  }

  // ---------- camera cards ----------

  function buildCard(id) {
    const card = el("article", "camera");
    card.dataset.camera = id;
    const head = el("header");
    head.append(el("h3", "", id), el("span", "badge", "…"));
    card.append(head);
    const scene = el("div", "scene");
    const canvas = el("canvas", "scene-canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "Faces in the latest frame of " + id);
    scene.append(canvas);
    card.append(scene);
    const people = el("div", "people");
    people.append(el("span", "in-view", ""), el("span", "tracked", ""));
    card.append(people, el("ul", "faces"));
    const verdict = el("div", "verdict");
    verdict.title = "The latest frame's most prominent (largest) face";
    verdict.append(el("span", "label", "–"), el("span", "p", ""));
    card.append(verdict);
    const heads = el("dl", "heads");
    heads.append(el("dt", "", "Gender"), el("dd", "gender", "–"), el("dd", "p gender-p", ""),
      el("dt", "", "Age"), el("dd", "age", "–"), el("dd", "p age-p", ""),
      el("dt", "", "Class"), el("dd", "class", "–"), el("dd", "p class-p", ""));
    card.append(heads);
    const bar = el("div", "maskbar");
    bar.title = "Faces by mask state since the dashboard started";
    for (const m of MASK_ORDER) bar.append(el("span", m));
    card.append(bar);
    const counts = el("div", "counts");
    for (const m of MASK_ORDER) {
      const c = el("span", "count-" + m);
      c.title = MASK[m];
      c.append(el("b", "", "0"), document.createTextNode(" " + MASK_SHORT[m]));
      counts.append(c);
    }
    card.append(counts);
    const foot = el("footer");
    const events = el("span");
    events.append(el("b", "events", "0"), document.createTextNode(" events"));
    const rate = el("span");
    rate.append(el("b", "rate", "0.0"), document.createTextNode("/s"));
    const latency = el("span");
    latency.append(document.createTextNode("latency "), el("b", "latency", "–"), document.createTextNode(" ms"));
    foot.append(events, rate, latency, el("span", "seq", ""), el("span", "model", ""));
    card.append(foot);
    return card;
  }

  function renderCameras(s) {
    const box = $("cameras");
    const ids = new Set(s.cameras.map((c) => c.id));
    for (const [id, card] of cards) {
      if (!ids.has(id)) {
        card.remove();
        cards.delete(id);
        scenes.delete(id);
      }
    }
    const empty = box.querySelector(".empty");
    if (s.cameras.length && empty) empty.remove();
    s.cameras.forEach((c, i) => {
      let card = cards.get(c.id);
      if (!card) {
        card = buildCard(c.id);
        cards.set(c.id, card);
      }
      if (box.children[i] !== card) box.insertBefore(card, box.children[i] || null);
      updateCard(card, c, s);
    });
    if (!s.cameras.length && !box.querySelector(".empty")) {
      box.append(el("p", "empty", "Waiting for classification events…"));
    }
  }

  // The worst mask state in view colours the card: one unmasked person in a crowd is what an operator looks for.
  function worstInView(c) {
    let worst = c.faces.length ? "" : (c.mask ? c.mask.label : "");
    for (const f of c.faces) if (!worst || SEVERITY[f.mask.label] > SEVERITY[worst]) worst = f.mask.label;
    return worst;
  }

  function faceLabel(f) {
    return (f.trackId !== null && f.trackId !== undefined ? "#" + f.trackId + " " : "") +
      (MASK_SHORT[f.mask.label] || f.mask.label) + " " + pct(f.mask.probability);
  }

  function updateCard(card, c, s) {
    const mask = c.mask ? c.mask.label : "";
    const worst = worstInView(c);
    card.className = "camera" + (worst ? " mask-" + worst : "") + (c.stale ? " stale" : "");
    const alerting = c.lastAlert && s.now - c.lastAlert.receivedAt < ALERT_BADGE_MS;
    const badge = card.querySelector(".badge");
    badge.className = "badge " + (alerting ? "alerting" : c.stale ? "stale" : "live");
    setText(badge, alerting ? (ALERT_KIND[c.lastAlert.kind] || "alert") : c.stale ? "silent " + ago(s.now, c.lastSeen) : "live");

    updateScene(card, c, s);
    updatePeople(card, c);

    const verdict = card.querySelector(".verdict");
    verdict.className = "verdict " + mask;
    setText(verdict.querySelector(".label"), c.mask ? MASK[mask] || mask : c.events ? "nobody in view" : "no events yet");
    setText(verdict.querySelector(".p"), c.mask ? pct(c.mask.probability) : "");
    setText(card.querySelector(".gender"), c.gender ? GENDER[c.gender.label] || c.gender.label : "–");
    setText(card.querySelector(".gender-p"), c.gender ? pct(c.gender.probability) : "");
    setText(card.querySelector(".age"), c.age ? AGE[c.age.label] || c.age.label : "–");
    setText(card.querySelector(".age-p"), c.age ? pct(c.age.probability) : "");
    setText(card.querySelector(".class"), c.classCode >= 0 ? "#" + c.classCode : "–");
    setText(card.querySelector(".class-p"), c.classCode >= 0 ? pct(c.classProbability) : "");

    const total = MASK_ORDER.reduce((n, m) => n + (c.byMask[m] || 0), 0);
    const segments = card.querySelectorAll(".maskbar span");
    MASK_ORDER.forEach((m, i) => {
      const w = total ? (100 * (c.byMask[m] || 0) / total).toFixed(2) + "%" : "0%";
      if (segments[i].style.width !== w) segments[i].style.width = w;
      setText(card.querySelector(".count-" + m + " b"), number.format(c.byMask[m] || 0));
    });
    setText(card.querySelector(".events"), number.format(c.events));
    card.querySelector(".events").dataset.value = String(c.events);
    setText(card.querySelector(".rate"), decimal.format(c.eventsPerSecond));
    setText(card.querySelector(".latency"), c.events ? ms(c.latencyMs) : "–");
    setText(card.querySelector(".seq"), c.frameSequence >= 0 ? "frame " + number.format(c.frameSequence) : "");
    setText(card.querySelector(".model"), c.modelVersion ? "model " + c.modelVersion : "");
  }

  // ---------- a camera's scene: its latest frame's faces on canvas ----------

  function updatePeople(card, c) {
    const inView = card.querySelector(".in-view");
    const counted = c.events && (c.people || !c.mask); // events older than faces say nothing of who is in view
    setText(inView, counted ? (c.people === 1 ? "1 person" : number.format(c.people) + " people") + " in view" : "");
    inView.dataset.value = String(c.people);
    const tracked = card.querySelector(".tracked");
    setText(tracked, c.tracksSeen ? number.format(c.tracksSeen) + " tracked" : "");
    tracked.title = "Distinct people (tracks) seen on this camera since the dashboard started";
    const list = card.querySelector(".faces");
    const key = JSON.stringify(c.faces.map((f) => [f.trackId, f.mask.label, f.mask.probability])) + c.people;
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren();
    for (const f of c.faces.slice(0, FACE_CHIPS)) {
      const li = el("li", "face " + f.mask.label, faceLabel(f));
      if (f.trackId !== null && f.trackId !== undefined) li.dataset.track = String(f.trackId);
      li.title = (MASK[f.mask.label] || f.mask.label) + ", class #" + f.classCode + " " + pct(f.classProbability) +
        ", face detected at " + pct(f.detectionScore);
      list.append(li);
    }
    if (c.people > FACE_CHIPS) list.append(el("li", "face more", "+" + number.format(c.people - FACE_CHIPS) + " more"));
  }

  function updateScene(card, c, s) {
    const scene = card.querySelector(".scene");
    const canvas = scene.querySelector("canvas");
    let st = scenes.get(c.id);
    if (!st) {
      st = { src: null, image: null, key: null };
      scenes.set(c.id, st);
    }
    st.camera = c;
    const showImage = s.showFrames && c.hasFrame;
    // events older than faces, frames off: nothing to draw, the card keeps its compact pre-scene look
    scene.classList.toggle("hidden", !showImage && !c.faces.length && !!c.mask);
    const size = knownSize(c);
    // a frame of extreme shape is letterboxed inside a card-friendly shape
    const aspect = size ? Math.min(2.5, Math.max(0.5, size.width / size.height)) : 4 / 3;
    const ratio = aspect.toFixed(4);
    if (scene.dataset.aspect !== ratio) {
      scene.dataset.aspect = ratio;
      scene.style.aspectRatio = ratio;
    }
    if (showImage) {
      const src = "/frames/" + encodeURIComponent(c.id) + "?seq=" + c.frameShown;
      if (st.src !== src) { // the previous image stays until the next has loaded: no flicker
        st.src = src;
        const image = new Image();
        image.onload = () => {
          if (st.src === src) {
            st.image = image;
            drawScene(canvas, st);
          }
        };
        image.onerror = () => {
          if (st.src === src) {
            st.image = null;
            drawScene(canvas, st);
          }
        };
        image.src = src;
      }
    } else { // frames off: nothing of a frame is fetched or kept, the background stays blank
      st.src = null;
      st.image = null;
    }
    drawScene(canvas, st);
  }

  // The frame's size when the server knows it: from the Frame event, the image header (frames on) or a
  // whole-frame verdict's centre crop. Null when all it has is the extent of the boxes seen ("boxes").
  function knownSize(c) {
    return c.frameSize && c.frameSize.from !== "boxes" ? c.frameSize : null;
  }

  function drawScene(canvas, st) {
    const c = st.camera;
    if (!c) return;
    canvas.dataset.background = st.image ? "frame" : "blank";
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return;
    const key = [w, h, dpr, c.frameSequence, c.events, c.people, st.image ? st.image.src : "",
      c.frameSize ? c.frameSize.width + "x" + c.frameSize.height + c.frameSize.from : ""].join("|");
    if (st.key === key) return;
    st.key = key;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    ctx.fillStyle = color("--scene");
    ctx.fillRect(0, 0, w, h);

    // The boxes are in the frame's pixels. Its size, best first: known (see knownSize), the loaded image's own,
    // else only the extent of the boxes seen so far: a lower bound, so that extent is fitted into the card's
    // 4:3 from the top-left corner (the frame's origin is sure, the unknown part lies right and below).
    const size = knownSize(c);
    const extent = !size && !st.image && c.frameSize;
    const fw = size ? size.width : st.image ? st.image.naturalWidth : extent ? extent.width : w;
    const fh = size ? size.height : st.image ? st.image.naturalHeight : extent ? extent.height : h;
    const k = Math.min(w / fw, h / fh);
    const ox = extent ? 0 : (w - fw * k) / 2, oy = extent ? 0 : (h - fh * k) / 2;
    if (st.image) {
      ctx.drawImage(st.image, ox, oy, fw * k, fh * k);
    } else if (size) {
      ctx.fillStyle = color("--scene-frame");
      ctx.fillRect(ox, oy, fw * k, fh * k);
    }

    ctx.font = "600 11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    const labels = [];
    // largest first in the event: drawn last to first, so the most prominent face's label stays on top
    for (let i = c.faces.length - 1; i >= 0; i--) {
      const f = c.faces[i];
      const x = ox + f.box.x * k, y = oy + f.box.y * k, bw = f.box.width * k, bh = f.box.height * k;
      const stroke = color(MASK_COLOR[f.mask.label] || "--muted");
      ctx.lineWidth = 2;
      ctx.strokeStyle = stroke;
      ctx.strokeRect(x, y, bw, bh);
      const text = faceLabel(f);
      const tw = ctx.measureText(text).width + 8, th = 16;
      const lx = Math.max(0, Math.min(w - tw, x - 1));
      const ly = y - th >= 0 ? y - th : Math.min(h - th, y); // above the box, else just inside it
      ctx.fillStyle = stroke;
      ctx.fillRect(lx, ly, tw, th);
      ctx.fillStyle = color("--bg");
      ctx.textAlign = "left";
      ctx.fillText(text, lx + 4, ly + th / 2 + 0.5);
      labels.unshift(text);
    }
    canvas.dataset.boxes = String(c.faces.length);
    canvas.dataset.labels = labels.join(", ");

    let note = "";
    if (!c.events) note = "no events yet";
    else if (!c.faces.length) note = c.mask ? "no face boxes in these events" : "nobody in view";
    if (note) {
      ctx.fillStyle = color("--muted");
      ctx.textAlign = "center";
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillText(note, w / 2, h / 2);
    }
    canvas.setAttribute("aria-label", "Latest frame of " + c.id + ": " +
      (labels.length ? labels.join(", ") : note || "faces without boxes") +
      (c.frameSize && c.frameSize.from === "boxes" ? " (frame size unknown: drawn within the boxes' extent)" : ""));
  }

  function redrawScenes() {
    for (const [id, card] of cards) {
      const st = scenes.get(id);
      if (st) drawScene(card.querySelector(".scene canvas"), st);
    }
  }

  // ---------- alerts ----------

  function renderAlerts(s) {
    const feed = $("alert-feed");
    const items = s.alerts.map((a) => {
      let li = feed.querySelector('li[data-alert-id="' + CSS.escape(a.alertId) + '"]');
      if (!li) {
        li = el("li", "alert " + a.kind);
        li.dataset.alertId = a.alertId;
        li.dataset.camera = a.cameraId;
        const person = a.trackId !== null && a.trackId !== undefined ? " · person #" + a.trackId : "";
        const what = el("span", "what", (ALERT_KIND[a.kind] || a.kind) + " · " + a.cameraId + person);
        if (person) li.dataset.track = String(a.trackId);
        const time = el("time", "", clock(a.raisedTime));
        time.dateTime = new Date(a.raisedTime).toISOString();
        const detail = el("span", "detail", a.matchingFrames + " of " + a.windowFrames + " frames · peak " +
          pct(a.peakConfidence) + " · frames " + a.firstFrameSequence + "–" + a.lastFrameSequence +
          " · model " + a.modelVersion);
        li.append(what, time, detail);
        if (!firstAlertRender && !seenAlerts.has(a.alertId)) li.classList.add("fresh");
        seenAlerts.add(a.alertId);
      }
      return li;
    });
    const keep = new Set(items);
    for (const li of Array.from(feed.children)) if (!keep.has(li)) li.remove();
    items.forEach((li, i) => {
      if (feed.children[i] !== li) feed.insertBefore(li, feed.children[i] || null);
    });
    firstAlertRender = false;
    $("alerts-empty").classList.toggle("hidden", s.alerts.length > 0);
    const byKind = Object.entries(s.totals.alertsByKind || {}).map(([k, n]) => (ALERT_KIND[k] || k) + ": " + n);
    setText($("alert-kinds"), s.alerts.length ? "latest " + s.alerts.length + (byKind.length ? " · " + byKind.join(" · ") : "") : "");
  }

  // ---------- models ----------

  function metricCell(v, best) {
    const td = el("td", "num");
    if (typeof v !== "number") {
      td.textContent = "–";
      return td;
    }
    if (best) {
      const bar = el("span", "f1bar");
      const fill = el("span");
      fill.style.width = Math.max(0, Math.min(100, v * 100)).toFixed(1) + "%";
      bar.append(fill);
      td.append(bar);
    }
    td.append(document.createTextNode(v.toFixed(3)));
    return td;
  }

  function renderModels(s) {
    // rebuilt only when the models changed (like the report list): rows stay put between updates
    const body = $("models");
    const key = JSON.stringify(s.models);
    if (body.dataset.key === key) return;
    body.dataset.key = key;
    const serving = $("serving");
    serving.replaceChildren();
    if (s.models.serving.length) {
      serving.append(el("span", "muted", "Serving now:"));
      for (const m of s.models.serving) {
        const chip = el("span", "chip");
        chip.append(el("b", "", m.version), document.createTextNode(" · " + m.cameras + (m.cameras === 1 ? " camera" : " cameras")));
        serving.append(chip);
      }
    }
    const active = s.models.active[0];
    const activeF1 = active && active.metrics ? active.metrics.macroF1 : null;
    const rows = [].concat(s.models.active, s.models.candidates, s.models.retired);
    body.replaceChildren();
    for (const r of rows) {
      const tr = el("tr", r.status);
      tr.dataset.version = r.version;
      const v = el("td", "version", r.version);
      v.title = (r.trainingData ? "trained on " + r.trainingData : "") + (r.notes ? "\n" + r.notes : "");
      const st = el("td");
      st.append(el("span", "status " + r.status, r.status.toLowerCase()));
      const m = r.metrics || {};
      const f1 = metricCell(m.macroF1, true);
      if (r.status === "CANDIDATE" && typeof m.macroF1 === "number" && typeof activeF1 === "number") {
        const d = m.macroF1 - activeF1;
        f1.append(el("span", "delta " + (d >= 0 ? "up" : "down"), " (" + (d >= 0 ? "+" : "") + d.toFixed(3) + ")"));
      }
      tr.append(v, st, el("td", "", r.architecture + " " + r.inputWidth + "×" + r.inputHeight), f1,
        metricCell(m.accuracy), metricCell(m.maskF1), metricCell(m.genderF1), metricCell(m.ageF1),
        el("td", "num", typeof m.samples === "number" ? number.format(m.samples) : "–"),
        el("td", "", dateTime(r.statusTime)));
      body.append(tr);
    }
    $("models-empty").classList.toggle("hidden", rows.length > 0);
    renderLive(s.models.live || []);
  }

  /** The versions on the stream with the online evaluation's figures (– until measured). */
  function renderLive(live) {
    const body = $("live-versions");
    body.replaceChildren();
    for (const r of live) {
      const tr = el("tr", r.role);
      tr.dataset.version = r.version;
      const v = el("td", "version", r.version);
      v.title = r.notes || "";
      const role = el("td");
      role.append(el("span", "status " + r.role, r.role.toLowerCase()
        + (r.role === "CANARY" && typeof r.canaryShare === "number" ? " · " + (r.canaryShare * 100).toFixed(0) + "% of cameras" : "")));
      tr.append(v, role, metricCell(r.macroF1, true), el("td", "num", number.format(r.labeledFrames)),
        metricCell(r.role === "ACTIVE" ? null : r.agreement, false), el("td", "num", r.role === "ACTIVE" ? "–" : number.format(r.agreementFrames)));
      body.append(tr);
    }
    $("live-empty").classList.toggle("hidden", live.length > 0);
  }

  // ---------- drift ----------

  const DRIFT_STATISTIC = { CLASS_MIX: "class mix", CONFIDENCE: "confidence" };

  function renderDrift(s) {
    const body = $("drift");
    const rows = s.drift || [];
    const key = JSON.stringify(rows);
    if (body.dataset.key === key) return;
    body.dataset.key = key;
    body.replaceChildren();
    for (const d of rows) {
      const tr = el("tr", d.state);
      const where = d.scope === "CAMERA" ? d.cameraId : "overall";
      tr.dataset.window = d.scope === "CAMERA" ? d.cameraId : "overall:" + d.modelVersion;
      tr.dataset.statistic = d.statistic;
      const st = el("td");
      st.append(el("span", "status " + d.state, d.state === "RAISED" ? "drifting" : "cleared"));
      const threshold = d.state === "RAISED" ? "> " + d.threshold.toFixed(2) : "< " + d.clearThreshold.toFixed(2);
      tr.append(el("td", "where", where), el("td", "", DRIFT_STATISTIC[d.statistic] || d.statistic), st,
        el("td", "num", d.psi.toFixed(3)), el("td", "num", threshold), el("td", "num", number.format(d.windowFrames)),
        el("td", "", d.reference === "TRAINING_PROFILE" ? "training profile" : "first window"),
        el("td", "version", d.modelVersion), el("td", "", clock(d.eventTime)));
      body.append(tr);
    }
    const drifting = rows.filter((d) => d.state === "RAISED").length;
    setText($("drift-summary"), rows.length ? (drifting ? drifting + " drifting now" : "none drifting now") : "");
    $("drift-empty").classList.toggle("hidden", rows.length > 0);
  }

  // ---------- reports, topics ----------

  function renderReports(s) {
    const list = $("reports");
    const key = JSON.stringify(s.reports);
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren();
    for (const r of s.reports) {
      const li = el("li");
      const a = el("a", "", r.name);
      a.href = r.href;
      a.target = "_blank";
      a.rel = "noopener";
      li.append(a, el("span", "meta", bytes(r.bytes) + " · " + dateTime(r.modified)));
      list.append(li);
    }
    $("reports-empty").classList.toggle("hidden", s.reports.length > 0);
  }

  function renderFooter(s) {
    const topics = $("topics");
    topics.replaceChildren(document.createTextNode("Topics: "));
    s.topics.forEach((t, i) => {
      if (i) topics.append(document.createTextNode(" · "));
      topics.append(el("span", t.state === "following" ? "ok" : "waiting", t.name + " (" + t.state + ")"));
    });
    setText($("privacy"), s.showFrames ? "Frames are shown (dashboard.show.frames=true)."
      : "No images are shown: labels, face boxes and counts only (dashboard.show.frames=false).");
  }

  // ---------- charts ----------

  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  function drawChart(canvas, series, lines, now) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const css = getComputedStyle(document.documentElement);
    const pad = { l: 48, r: 12, t: 10, b: 24 };
    const span = 120000;
    const x0 = now - span;
    let max = 0;
    for (const p of series) for (const l of lines) if (typeof p[l.key] === "number") max = Math.max(max, p[l.key]);
    max = niceMax(max * 1.1);
    const X = (t) => pad.l + (w - pad.l - pad.r) * (t - x0) / span;
    const Y = (v) => pad.t + (h - pad.t - pad.b) * (1 - v / max);

    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = css.getPropertyValue("--muted").trim();
    ctx.strokeStyle = css.getPropertyValue("--line").trim();
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let i = 0; i <= 4; i++) {
      const v = max * i / 4;
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.l, y);
      ctx.lineTo(w - pad.r, y);
      ctx.stroke();
      ctx.fillText(v >= 100 ? number.format(Math.round(v)) : String(Math.round(v * 10) / 10), pad.l - 6, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let s = 120; s >= 0; s -= 30) {
      ctx.fillText(s === 0 ? "now" : "−" + s + " s", X(now - s * 1000), h - pad.b + 6);
    }

    for (const l of lines) {
      const color = css.getPropertyValue(l.color).trim();
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.lineJoin = "round";
      let drawing = false;
      let first = null, last = null;
      ctx.beginPath();
      for (const p of series) {
        if (p.t < x0) continue;
        const v = p[l.key];
        if (typeof v !== "number") {
          drawing = false;
          continue;
        }
        const x = X(p.t), y = Y(v);
        if (drawing) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        drawing = true;
        if (first === null) first = x;
        last = x;
      }
      ctx.stroke();
      if (l.fill && first !== null) {
        ctx.lineTo(last, Y(0));
        ctx.lineTo(first, Y(0));
        ctx.closePath();
        const g = ctx.createLinearGradient(0, pad.t, 0, h - pad.b);
        g.addColorStop(0, color + "55");
        g.addColorStop(1, color + "00");
        ctx.fillStyle = g;
        ctx.fill();
      }
    }
    if (!series.some((p) => lines.some((l) => typeof p[l.key] === "number"))) {
      ctx.fillStyle = css.getPropertyValue("--muted").trim();
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("no data yet", w / 2, h / 2);
    }
  }

  function renderCharts(s) {
    drawChart($("chart-throughput"), s.series, [{ key: "eventsPerSecond", color: "--accent", fill: true }], s.now);
    drawChart($("chart-latency"), s.series, [{ key: "p50", color: "--p50" }, { key: "p99", color: "--p99" }], s.now);
  }

  // ---------- wiring ----------

  function render(s) {
    if (!s || !s.totals) return;
    latest = s;
    renderTotals(s);
    renderCameras(s);
    renderAlerts(s);
    renderModels(s);
    renderDrift(s);
    renderReports(s);
    renderFooter(s);
    renderCharts(s);
    document.body.dataset.updated = String(s.now);
  }

  function status(cls, text) {
    const c = $("connection");
    c.className = "connection " + cls;
    c.textContent = text;
  }

  function connect() {
    if (!window.EventSource) {
      status("lost", "no live updates in this browser");
      return;
    }
    const source = new EventSource("/events");
    source.onopen = () => status("live", "live");
    source.onmessage = (e) => {
      try {
        render(JSON.parse(e.data));
        status("live", "live · " + clock(latest.now));
      } catch (err) {
        status("lost", "bad update: " + err.message);
      }
    };
    source.onerror = () => status("lost", "reconnecting…");
  }

  document.addEventListener("DOMContentLoaded", () => {
    fetch("/api/state", { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((s) => { if (s && !latest) render(s); })
      .catch(() => status("lost", "server unreachable"));
    connect();
    window.addEventListener("resize", () => {
      if (latest) renderCharts(latest);
      redrawScenes();
    });
  });
})();
