#!/usr/bin/env python3
"""Validates Releve's FHIR R4 output with a real validator, the PyPI package fhir.resources
(FHIR 4.0.1 models): the bundle and every resource in it parse, every reference resolves
inside the bundle, amounts are exact decimals, and the EOB totals add up to the JSON export of
the same request.

    python3 Tests/fhir/valider.py bundle.json export.json
"""

import decimal
import json
import sys

from fhir.resources import construct_fhir_element
from fhir.resources.bundle import Bundle


def fail(message):
    sys.exit(f"valider.py (FHIR) : {message}")


def main():
    if len(sys.argv) != 3:
        fail("utilisation : valider.py BUNDLE.json EXPORT.json")
    text = open(sys.argv[1], encoding="utf-8").read()
    raw = json.loads(text, parse_float=decimal.Decimal)
    export = json.load(open(sys.argv[2], encoding="utf-8"))
    bundle = Bundle.parse_obj(json.loads(text))
    if bundle.type != "searchset":
        fail(f"type de Bundle {bundle.type}")
    known = set()
    for entry in raw["entry"]:
        resource = entry["resource"]
        construct_fhir_element(resource["resourceType"], resource)  # raises on any invalid element
        known.add(f"{resource['resourceType']}/{resource['id']}")
        if not entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}"):
            fail(f"fullUrl {entry['fullUrl']}")

    def references(node):
        if isinstance(node, dict):
            if "reference" in node and isinstance(node["reference"], str):
                yield node["reference"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    missing = [r for e in raw["entry"] for r in references(e["resource"]) if r not in known]
    if missing:
        fail(f"références sans ressource dans le Bundle : {sorted(set(missing))[:5]}")

    eobs = [e["resource"] for e in raw["entry"] if e["resource"]["resourceType"] == "ExplanationOfBenefit"]
    # fhir.resources 6 checks structure, types and cardinality, not the required value sets.
    for eob in eobs:
        if (eob["status"], eob["use"], eob["outcome"]) != ("active", "claim", "complete"):
            fail(f"{eob['id']} : status/use/outcome hors des valeurs requises")
    if raw["total"] != len(eobs) or not eobs:
        fail(f"total {raw['total']} pour {len(eobs)} ExplanationOfBenefit")
    cents = decimal.Decimal("0.01")
    benefit = decimal.Decimal(0)
    for eob in eobs:
        for total in eob["total"]:
            amount = total["amount"]["value"]
            if not isinstance(amount, decimal.Decimal) or amount.quantize(cents) != amount or total["amount"]["currency"] != "EUR":
                fail(f"montant non décimal exact : {amount}")
            if total["category"]["coding"][0]["code"] == "benefit":
                benefit += amount
        items = sum(a["amount"]["value"] for i in eob["item"] for a in i["adjudication"]
                    if a["category"]["coding"][0]["code"] == "benefit")
        if items != eob["payment"]["amount"]["value"]:
            fail(f"{eob['id']} : lignes {items} ≠ paiement {eob['payment']['amount']['value']}")
    expected = decimal.Decimal(export["totaux"]["rembourse"]) / 100
    if benefit != expected:
        fail(f"remboursé : FHIR {benefit} ≠ export JSON {expected}")
    print(f"FHIR R4 valide : {len(raw['entry'])} ressources dont {len(eobs)} ExplanationOfBenefit, "
          f"références résolues, remboursé {benefit} € = export JSON.")


if __name__ == "__main__":
    main()
