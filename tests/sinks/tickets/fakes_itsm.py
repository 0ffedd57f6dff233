"""Contract fakes of BMC Helix ITSM (AR System REST API) and Efecte ESM (REST API v1).

BMC, as documented for the AR REST API and the ITSM interface forms: ``POST /api/jwt/login``
takes a form ``username``/``password`` and answers the JWT as the plain body; every other call
needs ``Authorization: AR-JWT <token>``. ``HPD:IncidentInterface_Create`` needs ``z1D_Action:
CREATE`` and the documented required values (a missing one is a 400 with AR's message list),
answers 201 with ``Location`` and, with ``fields=values(Incident Number)``, the number.
``HPD:IncidentInterface`` is searched with ``q`` (``'Field' = "x"`` / ``LIKE "%x%"``) and updated
by ``PUT …/<Request ID>`` with ``z1D Action: MODIFY`` (a resolution needs ``Resolution`` and
``Status_Reason``); ``HPD:WorkLog`` takes work notes for an ``Incident Number``.

Efecte, as in its OpenAPI description: ``POST /rest-api/itsm/v1/users/login`` (form ``login``/
``password``) answers the token in the ``Authorization`` header (``Bearer <jwt>``) and the body;
data cards are created by ``POST /dc/{template}/data`` (``folderCode`` and ``data`` of
``{code: {values: [{value}]}}``), edited by ``PATCH /dc/{template}/data/{id}`` (``dataCardId``
in the body) and listed with an EQL ``filter`` (``limit`` required). Unknown attributes and
static values are 400s with ``RESTError`` bodies.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from tests.sinks.tickets.fakes import ok
from tests.sinks.tickets.fakes_rest import FormTool

AR = "/api/arsys/v1/entry/"
IMPACTS = ("1-Extensive/Widespread", "2-Significant/Large", "3-Moderate/Limited",
           "4-Minor/Localized")
URGENCIES = ("1-Critical", "2-High", "3-Medium", "4-Low")
STATUSES = ("New", "Assigned", "In Progress", "Pending", "Resolved", "Closed", "Cancelled")
SERVICE_TYPES = ("User Service Restoration", "User Service Request",
                 "Infrastructure Restoration", "Infrastructure Event")
CREATE_REQUIRED = ("First_Name", "Last_Name", "Description", "Impact", "Urgency", "Status",
                   "Reported Source", "Service_Type")


def ar_error(status: int, number: int, text: str, appended: str = ""):
    return ok(status, [{"messageType": "ERROR", "messageNumber": number, "messageText": text,
                        "messageAppendedText": appended}])


class FakeHelix(FormTool):
    form_paths = ("/api/jwt/login",)

    def __init__(self, user="webcare", password="helix-pass", **kw) -> None:
        super().__init__(**kw)
        self.user, self.password = user, password
        self.incidents: dict[str, dict] = {}  # by Incident Number

    def form(self, path, headers, form):
        if (form.get("username"), form.get("password")) != (self.user, self.password):
            return ar_error(401, 623, "Authentication failed", form.get("username", ""))
        return 200, {"Content-Type": "text/plain"}, self.issue()

    def authorized(self, auth, headers, body) -> bool:
        return auth.startswith("AR-JWT ") and self.valid(auth[7:])

    def route(self, method, path, data):
        url = urlsplit(path)
        form, _, entry = unquote(url.path).removeprefix(AR).partition("/")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        values = (data or {}).get("values") if isinstance(data, dict) else None
        if form == "HPD:IncidentInterface_Create" and method == "POST" and not entry:
            return self.create(values, query.get("fields", ""))
        if form == "HPD:IncidentInterface" and method == "GET" and not entry:
            return self.search(query.get("q", ""))
        if form == "HPD:IncidentInterface" and method == "PUT" and entry:
            return self.modify(entry, values)
        if form == "HPD:WorkLog" and method == "POST" and not entry:
            return self.work_log(values)
        return ar_error(404, 303, "Form does not exist on server", form)

    def create(self, values, fields: str):
        if not isinstance(values, dict):
            return ar_error(400, 8760, "Request body is incorrect", "values")
        for name in CREATE_REQUIRED:
            if not values.get(name):
                return ar_error(400, 326, "Required field cannot be blank.", name)
        checks = {"Impact": IMPACTS, "Urgency": URGENCIES, "Status": STATUSES,
                  "Service_Type": SERVICE_TYPES, "z1D_Action": ("CREATE",)}
        for name, allowed in checks.items():
            if values.get(name) not in allowed:
                return ar_error(400, 307, "Value does not fall within the limits", name)
        if len(values["Description"]) > 100:
            return ar_error(400, 306, "Value exceeds the maximum length of 100", "Description")
        n = len(self.incidents) + 1
        number, request_id = f"INC{n:012d}", f"{n:015d}|{n:015d}"
        self.incidents[number] = {**values, "Incident Number": number, "Request ID": request_id,
                                  "work_log": []}
        headers = {"Location": f"{AR}HPD:IncidentInterface_Create/{n:015d}"}
        if "Incident Number" not in fields:
            return 201, headers, ""  # documented: no body without the fields parameter
        status, extra, body = ok(201, {"values": {"Incident Number": number}})
        return status, {**extra, **headers}, body

    def search(self, q: str):
        match = re.fullmatch(r"""'([^']+)'\s*(=|LIKE)\s*"(.*)\"""", q.strip())
        if not match:
            return ar_error(400, 1587, "Qualification line error", q)
        field, op, wanted = match.groups()
        pattern = re.escape(wanted).replace("%", ".*") if op == "LIKE" else re.escape(wanted)
        found = [i for i in self.incidents.values() if re.fullmatch(pattern, str(i.get(field)))]
        return ok(200, {"entries": [{"values": {k: i[k] for k in ("Incident Number",
                                                                  "Request ID", "Status")}}
                                    for i in found], "_links": {}})

    def modify(self, request_id: str, values):
        incident = next((i for i in self.incidents.values() if i["Request ID"] == request_id),
                        None)
        if incident is None:
            return ar_error(404, 302, "Entry does not exist in database", request_id)
        if not isinstance(values, dict) or values.get("z1D Action") != "MODIFY":
            return ar_error(400, 326, "Required field cannot be blank.", "z1D Action")
        if values.get("Status") == "Resolved" and not (values.get("Resolution")
                                                       and values.get("Status_Reason")):
            return ar_error(400, 326, "Required field cannot be blank.", "Resolution")
        incident.update({k: v for k, v in values.items() if k != "z1D Action"})
        return 204, {}, ""

    def work_log(self, values):
        incident = self.incidents.get((values or {}).get("Incident Number", ""))
        if incident is None:
            return ar_error(400, 1291052, "Incident Number not found", "HPD:WorkLog")
        if not values.get("Detailed Description") or not values.get("Work Log Type"):
            return ar_error(400, 326, "Required field cannot be blank.", "Detailed Description")
        incident["work_log"].append(values["Detailed Description"])
        return 201, {"Location": f"{AR}HPD:WorkLog/WLG{len(incident['work_log']):012d}"}, ""


EFECTE = "/rest-api/itsm/v1"


class FakeEfecte(FormTool):
    form_paths = (f"{EFECTE}/users/login",)
    TEMPLATES = {"incident": {"folders": ("incident_management",),
                              "strings": ("subject", "description", "external_id", "worklog"),
                              "static": {"status": ("01 - New", "02 - Solving", "05 - Solved"),
                                         "priority": ("1 - Critical", "2 - High", "3 - Normal",
                                                      "4 - Low")}}}

    def __init__(self, login="webcare", password="efecte-pass", **kw) -> None:
        super().__init__(**kw)
        self.login, self.password = login, password
        self.cards: dict[str, dict] = {}

    def form(self, path, headers, form):
        if (form.get("login"), form.get("password")) != (self.login, self.password):
            return ok(401, {"code": 401, "message": "Wrong credentials provided.",
                            "error": "Unauthorized"})
        token = f"Bearer {self.issue()}"
        status, extra, body = ok(200, {"code": 200, "message": "OK", "token": token})
        return status, {**extra, "Authorization": token}, body

    def authorized(self, auth, headers, body) -> bool:
        return auth.startswith("Bearer ") and self.valid(auth[7:])

    def route(self, method, path, data):
        url = urlsplit(path)
        match = re.fullmatch(rf"{EFECTE}/dc/([^/]+)/data(?:/([^/]+))?", unquote(url.path))
        template = self.TEMPLATES.get(match.group(1)) if match else None
        if template is None:
            return ok(404, {"code": 404, "message": "Resource not found", "error": "Not Found"})
        card_id, query = match.group(2), {k: v[0] for k, v in parse_qs(url.query).items()}
        if method == "GET" and card_id is None:
            return self.list(query)
        if method == "POST" and card_id is None:
            return self.save(template, None, data)
        if method == "PATCH" and card_id:
            return self.save(template, card_id, data)
        return ok(405, {"code": 405, "message": f"{method} not allowed", "error": "Bad Request"})

    def list(self, query: dict):
        if not query.get("limit", "").isdigit() or not 1 <= int(query["limit"]) <= 200:
            return ok(400, {"code": 400, "message": "limit must be 1..200", "error": "Bad Request"})
        match = re.fullmatch(r"\$(\w+)\$\s*=\s*'([^']*)'", query.get("filter", "").strip())
        if not match:
            return ok(400, {"code": 400, "message": "Invalid EQL filter", "error": "Bad Request"})
        found = [{"dataCardId": i, "name": c["subject"][0], "url": f"/dc/incident/data/{i}"}
                 for i, c in self.cards.items() if match.group(2) in c.get(match.group(1), [])]
        return ok(200, {"meta": {"count": len(found), "limit": int(query["limit"])},
                        "data": found[: int(query["limit"])]})

    def save(self, template: dict, card_id: str | None, data):
        if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
            return ok(400, {"code": 400, "message": "Invalid JSON.", "error": "Bad Request"})
        if card_id is None and data.get("folderCode") not in template["folders"]:
            return ok(400, {"code": 400, "message": "folderCode is required and must be allowed",
                            "error": "Bad Request"})
        if card_id is not None and card_id not in self.cards:
            return ok(404, {"code": 404, "message": "Resource not found", "error": "Not Found"})
        if card_id is not None and data.get("dataCardId") != card_id:
            return ok(400, {"code": 400, "message": "dataCardId does not match the path",
                            "error": "Bad Request"})
        errors, values = self.attribute_errors(template, data["data"])
        if card_id is None and not values.get("subject") and not errors:
            errors = [{"attributeCode": "subject", "message": "required"}]
        if errors:
            return ok(400, {"meta": {"errors": errors}})
        created = card_id is None
        if created:
            card_id = str(40000 + len(self.cards))
            self.cards[card_id] = {"worklog": []}
        card = self.cards[card_id]
        for code, new in values.items():
            card[code] = card["worklog"] + new if code == "worklog" else new
        return ok(201 if created else 200, {"meta": {"errors": []},
                                            "dataCard": {"dataCardId": card_id}})

    @staticmethod
    def attribute_errors(template: dict, data: dict) -> tuple[list, dict]:
        errors, values = [], {}
        for code, element in data.items():
            items = element.get("values") if isinstance(element, dict) else None
            if code not in template["strings"] and code not in template["static"]:
                errors.append({"attributeCode": code, "message": "attribute not found"})
            elif not isinstance(items, list) or not all(isinstance(v, dict) and "value" in v
                                                        for v in items):
                errors.append({"attributeCode": code, "message": "values: [{value}] expected"})
            elif code in template["static"] and any(v["value"] not in template["static"][code]
                                                    for v in items):
                errors.append({"attributeCode": code, "attributeType": "static-value",
                               "message": f"Couldn't find static-value with value: "
                                          f"{items[0]['value']}", "error": "Bad Request"})
            else:
                values[code] = [str(v["value"]) for v in items]
        return errors, values
