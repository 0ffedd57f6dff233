"""Text pieces for the stream simulator (:mod:`webcare.lab.simulate`): en / nl / fi.

Posts are assembled from independent parts (opening, complaint, place, time, closing) so a
burst of hundreds of posts is not a wall of identical texts (the noise filter drops those as
near-duplicates, as it would in real life). ``{b}`` is the brand alias, ``{h}`` its support
handle, ``{c}`` a city, ``{m}`` minutes.
"""

from __future__ import annotations

BRANDS = {  # name → (aliases, support handle, service noun per language)
    "Lumen Telecom": (["Lumen", "Lumen Telecom"], "@LumenCare",
                      {"en": "internet", "nl": "internet", "fi": "netti"}),
    "Kettle": (["Kettle", "Kettle Mail"], "@KettleSupport",
               {"en": "mail", "nl": "mail", "fi": "sähköposti"}),
    "Quokka Bank": (["Quokka Bank", "Quokka"], "@QuokkaBankHelp",
                    {"en": "banking app", "nl": "bank app", "fi": "pankkisovellus"}),
    "Glowwire": (["Glowwire"], "@GlowwireCares", {"en": "broadband", "nl": "internet",
                                                   "fi": "laajakaista"}),
    "Kabelwijk": (["Kabelwijk"], "@KabelwijkHelpt", {"en": "internet", "nl": "internet",
                                                     "fi": "netti"}),
}

CITIES = ["Utrecht", "Amsterdam", "Rotterdam", "Delft", "Leiden", "Eindhoven", "Haarlem",
          "Helsinki", "Espoo", "Tampere", "Vantaa", "London", "Leeds", "Bristol", "Arnhem"]

OUTAGE = {
    "en": {
        "open": ["", "Is {b} down?", "Anyone else?", "Ugh.", "Seriously {b}?", "{h}",
                 "Great timing {b}.", "Not again."],
        "body": ["{b} {s} is down in {c}", "no {s} at all here in {c}, {b} outage?",
                 "{b} login fails with an error every time", "{b} app won't load, {s} dead",
                 "total outage at {b}, nothing works in {c}", "{s} keeps dropping, {b} down again",
                 "cannot log in to {b} for {m} minutes now", "{b} {s} offline since {m} min ago"],
        "close": ["", "#outage", "Any ETA?", "Working from home is impossible.", "😡",
                  "{h} please fix", "whole street is offline", "status page says all fine??"],
    },
    "nl": {
        "open": ["", "Storing bij {b}?", "Iemand anders ook?", "Pfff.", "{h}", "Echt {b}?"],
        "body": ["{b} {s} ligt eruit in {c}", "geen {s} meer in {c}, storing bij {b}?",
                 "inloggen bij {b} lukt niet, foutmelding", "{b} app doet het niet, {s} plat",
                 "al {m} minuten storing bij {b} in {c}", "{b} {s} valt steeds weg"],
        "close": ["", "#storing", "Wanneer is het opgelost?", "😤", "{h} graag reactie"],
    },
    "fi": {
        "open": ["", "Onko {b} nurin?", "Muillakin?", "{h}"],
        "body": ["{b} {s} ei toimi {c}", "{b} vika, ei yhteyttä {m} minuuttiin",
                 "{b} sovellus ei aukea, {s} poikki", "kirjautuminen {b} palveluun ei onnistu"],
        "close": ["", "Milloin korjataan?", "😡", "{h} apua"],
    },
}

PREFIX = ["", "", "Hmm.", "Honestly,", "Day 3:", "Quick one:", "So", "Well,", "Update:",
          "PSA:", "Lol", "Meh.", "Question:", "Again:", "Fun fact:", "Ok so"]
SUFFIX = ["", "", "thanks", "any ideas?", "#help", "pls", "really annoying", "ok then", "weird",
          "🙄", "👍", "from {c}", "on my phone", "since monday", "at work", "at home", "sigh"]

BACKGROUND = {  # topic-ish → per language sentences; the classifier decides the real topic
    "complaint": {
        "en": ["{h} my {s} has been slow every evening this week in {c}",
               "{b} charged me twice this month, who do I call?",
               "Still waiting {m} minutes on hold with {b} customer service",
               "{b} router light blinking orange since this morning, {c}"],
        "nl": ["{h} mijn {s} is elke avond traag in {c}", "{b} heeft dubbel afgeschreven deze maand",
               "al {m} minuten in de wacht bij {b} klantenservice"],
        "fi": ["{b} laskutti kahdesti tässä kuussa", "{b} asiakaspalvelu jonossa {m} minuuttia"],
    },
    "question": {
        "en": ["How do I change my {s} password on {b}?", "Does {b} support eSIM yet?",
               "Thinking of switching to {b} in {c}, any experiences?"],
        "nl": ["Hoe verander ik mijn wachtwoord bij {b}?", "Ervaringen met {b} in {c}?"],
        "fi": ["Miten vaihdan salasanan {b} palvelussa?"],
    },
    "praise": {
        "en": ["Shoutout to {b} support, fixed my {s} in {m} minutes", "{b} {s} is great today"],
        "nl": ["Top geholpen door {b} klantenservice in {c}!"],
        "fi": ["Kiitos {b}, asentaja korjasi yhteyden nopeasti"],
    },
    "offtopic": {
        "en": ["This lamp gives 800 lumen, perfect for reading", "Kettle on, tea time ☕",
               "Saw a quokka on Rottnest island, cutest animal ever"],
        "nl": ["Waterkoker kapot, geen thee vandaag"],
        "fi": ["Otsalampussa 300 lumen, riittää lenkille"],
    },
}
