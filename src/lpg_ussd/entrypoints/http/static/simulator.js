// The web handset of GET /simulator. Each hop is built in the chosen aggregator's own wire
// format (as src/lpg_ussd/adapters/ussd_gateways/ decodes it and tests/acceptance/handsets.py
// sends it), posted to the real callback route, and its answer read back the same way.
"use strict";

(function () {
  const FORM = "application/x-www-form-urlencoded";
  const JSON_TYPE = "application/json";
  const USER_ID = "SIMULATOR";

  // The operator field of each aggregator, by network.
  const OPERATORS = {
    africastalking: { mtn: "62001", telecel: "62002", airteltigo: "62003" },
    hubtel: { mtn: "mtn", telecel: "vodafone", airteltigo: "airteltigo" },
    arkesel: { mtn: "MTN", telecel: "VODAFONE", airteltigo: "AIRTELTIGO" },
    nalo: { mtn: "MTN", telecel: "VODAFONE", airteltigo: "AIRTELTIGO" },
  };

  // "0244 000 001", "+233244000001", "00233..." -> "233244000001"
  function international(phone) {
    let digits = phone.replace(/[\s\-().]/g, "");
    if (digits.startsWith("+")) digits = digits.slice(1);
    else if (digits.startsWith("00")) digits = digits.slice(2);
    if (/^0\d{9}$/.test(digits)) digits = "233" + digits.slice(1);
    return digits;
  }

  // "*384*303*2#" after "*384*303#" -> "2": the digits dialled beyond the service code.
  function suffixOf(dialled, serviceCode) {
    const base = serviceCode.replace(/#$/, "");
    const core = dialled.replace(/#$/, "");
    return core.startsWith(base + "*") ? core.slice(base.length + 1) : "";
  }

  function sessionId() {
    const bytes = new Uint8Array(10);
    crypto.getRandomValues(bytes); // works on plain http too, unlike randomUUID
    return "sim-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function parseJson(body) {
    const answer = JSON.parse(body);
    if (answer === null || typeof answer !== "object") throw new Error("not a JSON object");
    return answer;
  }

  // Africa's Talking: a form; `text` holds every answer so far joined by "*".
  class AfricasTalking {
    constructor(call) {
      this.call = call;
      this.contentType = FORM;
      this.answers = [];
    }
    form() {
      return new URLSearchParams({
        sessionId: this.call.sessionId,
        serviceCode: this.call.serviceCode,
        phoneNumber: "+" + this.call.msisdn,
        networkCode: this.call.operator,
        text: this.answers.join("*"),
      }).toString();
    }
    start(dialled) {
      const suffix = suffixOf(dialled, this.call.serviceCode);
      this.answers = suffix ? [suffix] : [];
      return this.form();
    }
    answer(text) {
      this.answers.push(text);
      return this.form();
    }
    read(body) {
      if (!/^(CON|END) /.test(body)) throw new Error("not a USSD answer (CON or END)");
      return { screen: body.slice(4), ended: body.startsWith("END ") };
    }
  }

  // Hubtel: JSON with Type (Initiation, Response, Release) and a Sequence per hop; on
  // initiation Message is the dialled string, after it the screen's answer.
  class Hubtel {
    constructor(call) {
      this.call = call;
      this.contentType = JSON_TYPE;
      this.sequence = 0;
      this.clientState = "";
    }
    hop(type, message) {
      this.sequence += 1;
      return JSON.stringify({
        SessionId: this.call.sessionId,
        Mobile: this.call.msisdn,
        ServiceCode: this.call.serviceCode,
        Type: type,
        Message: message,
        Operator: this.call.operator,
        ClientState: this.clientState,
        Sequence: this.sequence,
        Platform: "USSD",
      });
    }
    start(dialled) {
      this.sequence = 0;
      this.clientState = "";
      return this.hop("Initiation", dialled);
    }
    answer(text) {
      return this.hop("Response", text);
    }
    release() {
      return this.hop("Release", "");
    }
    read(body) {
      const answer = parseJson(body);
      if (typeof answer.Message !== "string") throw new Error("no Message in the answer");
      this.clientState = typeof answer.ClientState === "string" ? answer.ClientState : "";
      return { screen: answer.Message, ended: answer.Type !== "Response" };
    }
  }

  // Arkesel: JSON with newSession and userData (null on a plain dial).
  class Arkesel {
    constructor(call) {
      this.call = call;
      this.contentType = JSON_TYPE;
    }
    hop(isNew, data) {
      return JSON.stringify({
        sessionID: this.call.sessionId,
        userID: USER_ID,
        newSession: isNew,
        msisdn: this.call.msisdn,
        userData: data,
        network: this.call.operator,
      });
    }
    start(dialled) {
      return this.hop(true, suffixOf(dialled, this.call.serviceCode) ? dialled : null);
    }
    answer(text) {
      return this.hop(false, text);
    }
    read(body) {
      const answer = parseJson(body);
      if (typeof answer.message !== "string") throw new Error("no message in the answer");
      return { screen: answer.message, ended: answer.continueSession !== true };
    }
  }

  // Nalo: JSON with MSGTYPE true on the first hop, whose USERDATA is the dialled string. In
  // the answer MSGTYPE true means the session goes on.
  class Nalo {
    constructor(call) {
      this.call = call;
      this.contentType = JSON_TYPE;
    }
    hop(first, data) {
      return JSON.stringify({
        USERID: USER_ID,
        MSISDN: this.call.msisdn,
        USERDATA: data,
        MSGTYPE: first,
        NETWORK: this.call.operator,
        SESSIONID: this.call.sessionId,
      });
    }
    start(dialled) {
      return this.hop(true, dialled);
    }
    answer(text) {
      return this.hop(false, text);
    }
    read(body) {
      const answer = parseJson(body);
      if (typeof answer.MSG !== "string") throw new Error("no MSG in the answer");
      return { screen: answer.MSG, ended: answer.MSGTYPE !== true };
    }
  }

  const WIRES = { africastalking: AfricasTalking, hubtel: Hubtel, arkesel: Arkesel, nalo: Nalo };

  const REFUSED = {
    401: "The route asks for credentials (its callback token or Basic credentials) and these were missing or wrong.",
    403: "The route refused this address: it is not in the aggregator's allowed networks.",
    404: "No such route: the aggregator is not wired, or a token was given where none is set.",
    413: "The request was larger than the server accepts.",
  };

  const root = document.getElementById("simulator");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const ui = {
    handset: $("handset"),
    phone: $("sim-phone"),
    gateway: $("sim-gateway"),
    network: $("sim-network"),
    auth: $("sim-auth"),
    authNote: $("sim-auth-note"),
    tokenField: $("sim-token-field"),
    token: $("sim-token"),
    basicField: $("sim-basic-field"),
    basic: $("sim-basic"),
    networksNote: $("sim-networks-note"),
    kind: $("sim-kind"),
    count: $("sim-count"),
    screen: $("sim-screen"),
    dial: $("sim-dial"),
    dialled: $("sim-dialled"),
    reply: $("sim-reply"),
    answer: $("sim-answer"),
    cancel: $("sim-cancel"),
    request: $("sim-request"),
    response: $("sim-response"),
  };
  const serviceCode = root.dataset.serviceCode || "";
  let call = null; // the session in progress: its id, gateway and wire

  function selectedLine() {
    return ui.gateway.options[ui.gateway.selectedIndex];
  }

  function showAuth() {
    const line = selectedLine();
    const token = line.dataset.needsToken === "true";
    const basic = line.dataset.needsBasic === "true";
    const asks = [token && "a callback token", basic && "Basic credentials"].filter(Boolean);
    ui.auth.hidden = asks.length === 0;
    ui.tokenField.hidden = !token;
    ui.basicField.hidden = !basic;
    ui.authNote.textContent = asks.length
      ? `This server's ${line.value} route asks for ${asks.join(" and ")}, which the ` +
        "simulator cannot know: paste them below, or the route will answer 401."
      : "";
    ui.networksNote.hidden = line.dataset.networks !== "true";
  }

  function setState(state, kind) {
    ui.handset.dataset.state = state;
    ui.kind.textContent = kind;
    const open = state === "open" || state === "busy";
    ui.dial.hidden = open;
    ui.reply.hidden = !open;
    for (const field of [ui.phone, ui.gateway, ui.network, ui.token, ui.basic]) {
      field.disabled = open;
    }
    for (const button of ui.handset.querySelectorAll("button, input")) {
      button.disabled = state === "busy";
    }
  }

  function show(screen, ended) {
    ui.screen.textContent = screen;
    const limit = selectedLine().dataset.limit;
    ui.count.textContent = `${screen.length}${limit ? "/" + limit : ""} characters`;
    if (ended) {
      setState("ended", "Session ended");
      ui.dialled.focus();
    } else {
      setState("open", "Waiting for your answer");
      ui.answer.value = "";
      ui.answer.focus();
    }
  }

  function fail(message) {
    call = null;
    ui.screen.textContent = message;
    ui.count.textContent = "";
    setState("error", "Error");
  }

  async function send(body) {
    const headers = { "Content-Type": call.wire.contentType };
    if (call.basic) headers.Authorization = "Basic " + btoa(call.basic);
    const url =
      `/ussd/${encodeURIComponent(call.gateway)}/callback` +
      (call.token ? "/" + encodeURIComponent(call.token) : "");
    ui.request.textContent = `POST ${url.replace(call.token || "\0", "<token>")}\nContent-Type: ${headers["Content-Type"]}\n\n${body}`;
    setState("busy", "Sending...");
    let response;
    let text;
    try {
      response = await fetch(url, { method: "POST", headers, body, credentials: "omit" });
      text = await response.text();
    } catch (error) {
      return fail(`The server could not be reached: ${error.message}`);
    }
    const type = response.headers.get("content-type") || "";
    ui.response.textContent = `HTTP ${response.status}\nContent-Type: ${type}\n\n${text}`;
    if (!response.ok) {
      const why = REFUSED[response.status] || "The server refused the request.";
      return fail(`HTTP ${response.status}. ${why}\n${text.slice(0, 200)}`);
    }
    let answer;
    try {
      answer = call.wire.read(text);
    } catch (error) {
      return fail(`An answer this aggregator would not understand: ${error.message}`);
    }
    show(answer.screen, answer.ended);
    if (answer.ended) call = null;
  }

  ui.dial.addEventListener("submit", (event) => {
    event.preventDefault();
    const gateway = ui.gateway.value;
    call = {
      gateway,
      sessionId: sessionId(),
      serviceCode,
      msisdn: international(ui.phone.value),
      operator: (OPERATORS[gateway] || {})[ui.network.value] || "",
      token: ui.token.value.trim(),
      basic: ui.basic.value,
    };
    call.wire = new WIRES[gateway](call);
    send(call.wire.start(ui.dialled.value.trim()));
  });

  ui.reply.addEventListener("submit", (event) => {
    event.preventDefault();
    if (call) send(call.wire.answer(ui.answer.value)); // as typed, like a phone
  });

  ui.cancel.addEventListener("click", () => {
    // Only Hubtel tells the line that the customer cancelled; the others just stop.
    if (call && typeof call.wire.release === "function") {
      send(call.wire.release());
    } else {
      call = null;
      setState("ended", "Session ended");
      ui.screen.textContent = "You cancelled the session.";
      ui.count.textContent = "";
    }
  });

  ui.gateway.addEventListener("change", showAuth);
  showAuth();
  setState("idle", "Ready");
})();
