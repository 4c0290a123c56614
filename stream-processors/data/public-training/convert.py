"""Rebuilds the *.jsonl files here from the public sources named in README.md (the mapping is documented there).

    python3 convert.py CLINC150_data_full.json BANKING77_train.csv NLUPP_DIR

NLUPP_DIR holds NLU++'s data/ folder (banking/fold*.json, hotels/fold*.json). Deterministic: no randomness,
samples are taken by lowest sha256 of the text. Lines in ../intents.jsonl or in the Bitext test set
(../public-intents/) are dropped, so that neither the own held-out split nor the public test set is trained on.
"""

import csv
import glob
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def normal(text):
    return re.sub(r"\s+", " ", text).strip().lower()


def clean(text):
    return re.sub(r"\s+", " ", text).strip()


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


EXCLUDED = {normal(r["text"]) for r in lines_of(os.path.join(HERE, "..", "intents.jsonl"))}
EXCLUDED |= {
    normal(r["text"])
    for path in glob.glob(os.path.join(HERE, "..", "public-intents", "*.jsonl"))
    for r in lines_of(path)
}


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sample(texts, limit):
    """At most `limit` distinct, not excluded lines, those with the lowest sha256 first, in that order."""
    seen, kept = set(), []
    for text in sorted((clean(t) for t in texts), key=sha):
        key = normal(text)
        if key in EXCLUDED or key in seen or key == "":
            continue
        seen.add(key)
        kept.append(text)
    return kept[:limit]


# CLINC150 intent -> ours; None = every train line of it.
CLINC_MAP = {
    "greeting": "greeting",
    "goodbye": "goodbye",
    "order_status": "order_status",
    "bill_balance": "billing_question",
    "bill_due": "billing_question",
    "restaurant_reservation": "book_appointment",
    "schedule_maintenance": "book_appointment",
    "cancel_reservation": "cancel_appointment",
}
# Off-topic for a business line: what `other` means in ../intents.jsonl (weather, jokes, trivia, "are you a robot").
CLINC_OTHER = [
    "who_made_you", "meaning_of_life", "do_you_have_pets", "what_are_your_hobbies", "fun_fact",
    "what_is_your_name", "where_are_you_from", "tell_joke", "are_you_a_bot", "how_old_are_you",
    "weather", "time", "date", "flip_coin", "roll_dice", "definition", "calculator",
    "measurement_conversion", "spelling", "translate", "timezone", "recipe", "travel_suggestion",
    "restaurant_suggestion", "uber", "exchange_rate", "play_music", "traffic", "meal_suggestion", "calories",
]
CLINC_OTHER_EACH = 15

BANKING77_MAP = {
    "request_refund": "refund_request",
    "Refund_not_showing_up": "refund_request",
    "edit_personal_details": "update_account",
    "passcode_forgotten": "reset_password",
    "terminate_account": "cancel_subscription",
    "transaction_charged_twice": "billing_question",
    "extra_charge_on_statement": "billing_question",
    "supported_cards_and_currencies": "payment_method",
}


def nlupp_intent(labels):
    """NLU++ is multi-label; a line is kept only where its labels name one intent of ours."""
    s = set(labels)
    if "handoff" in s:
        return "talk_to_human"
    if "refund" in s:
        return "refund_request"
    if "end_call" in s and s <= {"end_call", "thank", "acknowledge"}:
        return "goodbye"
    if s == {"greet"}:
        return "greeting"
    if s & {"booking", "appointment"}:
        actions = s & {"cancel_close_leave_freeze", "change", "make_open_apply_setup_get_activate"}
        if actions == {"cancel_close_leave_freeze"}:
            return "cancel_appointment"
        if actions == {"change"}:
            return "reschedule_appointment"
        if actions == {"make_open_apply_setup_get_activate"}:
            return "book_appointment"
    if {"account", "cancel_close_leave_freeze"} <= s and not s & {"fees_interests", "balance", "card", "limits"}:
        return "cancel_subscription"
    if {"pin", "dont_know"} <= s:
        return "reset_password"
    return None


def write(name, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for text, intent, source in rows:
            f.write(json.dumps({"text": text, "intent": intent, "source_intent": source}, ensure_ascii=False) + "\n")
    print(name, len(rows))


def main(clinc_path, banking_path, nlupp_dir):
    with open(clinc_path, encoding="utf-8") as f:
        clinc_train = json.load(f)["train"]
    by_intent = {}
    for text, intent in clinc_train:
        by_intent.setdefault(intent, []).append(text)
    rows = []
    for source, ours in CLINC_MAP.items():
        rows += [(t, ours, source) for t in sample(by_intent[source], 100)]
    for source in CLINC_OTHER:
        rows += [(t, "other", source) for t in sample(by_intent[source], CLINC_OTHER_EACH)]
    write("clinc150.jsonl", rows)

    by_intent = {}
    with open(banking_path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_intent.setdefault(row["category"], []).append(row["text"])
    rows = []
    for source, ours in BANKING77_MAP.items():
        rows += [(t, ours, source) for t in sample(by_intent[source], 200)]
    write("banking77.jsonl", rows)

    by_label = {}
    for path in sorted(glob.glob(os.path.join(nlupp_dir, "*", "fold*.json"))):
        with open(path, encoding="utf-8") as f:
            for row in json.load(f):
                labels = sorted(row.get("intents", []))
                ours = nlupp_intent(labels)
                if ours is not None:
                    by_label.setdefault((ours, "+".join(labels)), []).append(row["text"])
    rows, seen = [], set()
    for (ours, source), texts in sorted(by_label.items()):
        for t in sample(texts, 1000):
            if normal(t) not in seen:
                seen.add(normal(t))
                rows.append((t, ours, source))
    write("nlupp.jsonl", rows)



if __name__ == "__main__":
    main(*sys.argv[1:])
