"""Generates the project's own invented, labelled ITSM sentiment training set.

``python -m classify.training.make_itsm_sentiment [OUT]`` writes
``classify/training/data/itsm_sentiment.jsonl`` (one ``{"id","lang","text","sentiment",
"kind","template"}`` per line). Every post is built from the hand-written template and slot lists below
(invented providers, services, symptoms, tasks, staff, sarcasm and praise phrases in en/nl/fi);
nothing is taken from any evaluation set. The output depends only on ``seed`` and the counts.

Labelling policy (the same as the project's ITSM taxonomy): problem reports and complaints are
negative even when written flatly; plain questions, how-tos, requests, tips, announcements,
status bots and news are neutral even when they mention a problem mildly; praise and thanks are
positive; sarcasm about a problem is negative; mixed praise + complaint is negative.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

OUT = Path(__file__).parent / "data" / "itsm_sentiment.jsonl"
COUNTS = {"en": 2600, "nl": 1150, "fi": 900}
SHARES = {"negative": 0.46, "neutral": 0.36, "positive": 0.18}

# ---------------------------------------------------------------- providers (all invented)
# name, handle, sector; fi also gives the genitive and inessive forms
PROVIDERS = {
    "en": [
        ("Brightlink", "@BrightlinkHelp", "telecom"), ("Veltro Mobile", "@VeltroCares", "telecom"),
        ("Skyrail Tel", "@SkyrailTel", "telecom"), ("Nimbly", "@NimblySupport", "telecom"),
        ("Fibrenest", "@FibrenestHQ", "isp"), ("Copperline", "@CopperlineCare", "isp"),
        ("Hollowbrook Broadband", "@HollowbrookBB", "isp"), ("Zephnet", "@ZephnetHelp", "isp"),
        ("Pennyroyal Bank", "@PennyroyalHelp", "bank"), ("Marlow Money", "@MarlowMoney", "bank"),
        ("Tallyo", "@TallyoApp", "bank"), ("Northgate Credit Union", "@NorthgateCU", "bank"),
        ("Corvid Suite", "@CorvidSupport", "saas"), ("Plinth", "@PlinthStatus", "saas"),
        ("Sprocketly", "@SprocketlyHelp", "saas"), ("Oaktable Cloud", "@OaktableCloud", "saas"),
        ("Westmere University", "@WestmereIT", "uni"), ("Halden College", "@HaldenServiceDesk", "uni"),
        ("St Bryce Uni", "@StBryceIT", "uni"), ("Ravensworth Uni", "@RavensworthDTS", "uni"),
        ("Tramlyne", "@TramlyneHelp", "transport"), ("Farewise", "@FarewiseApp", "transport"),
        ("Coastline Rail", "@CoastlineRail", "transport"), ("Metroloop", "@MetroloopHQ", "transport"),
    ],
    "nl": [
        ("Glasvezel Oost", "@GlasvezelOost", "isp"), ("Netpolder", "@NetpolderHelpt", "isp"),
        ("Duinnet", "@DuinnetService", "isp"), ("Belmobiel", "@Belmobiel", "telecom"),
        ("Simpel Bellen", "@SimpelBellen", "telecom"), ("Vonkmobiel", "@VonkWebcare", "telecom"),
        ("Spaarbank Noord", "@SpaarbankNoord", "bank"), ("Betaalvlot", "@BetaalvlotNL", "bank"),
        ("Knipbank", "@KnipbankHelp", "bank"), ("Werkplek365", "@Werkplek365", "saas"),
        ("Dossierly", "@DossierlySupport", "saas"), ("Hogeschool Lindeveld", "@LindeveldICT", "uni"),
        ("Universiteit Waalkant", "@WaalkantICT", "uni"), ("Spoorly", "@SpoorlyNL", "transport"),
        ("Rijdeel", "@RijdeelApp", "transport"), ("OVgemak", "@OVgemak", "transport"),
    ],
    "fi": [
        ("Revontuli", "Revontulen", "Revontulella", "@RevontuliTuki", "telecom"),
        ("Kaikuverkko", "Kaikuverkon", "Kaikuverkolla", "@KaikuAsiakas", "isp"),
        ("Napaliittymä", "Napaliittymän", "Napaliittymällä", "@Napaliittyma", "telecom"),
        ("Kuuranet", "Kuuranetin", "Kuuranetillä", "@KuuranetTuki", "isp"),
        ("Säästöpankki Pohja", "Pohjan pankin", "Pohjan pankilla", "@PohjaPankki", "bank"),
        ("Kukkaro", "Kukkaron", "Kukkarolla", "@KukkaroApp", "bank"),
        ("Toimisto360", "Toimisto360:n", "Toimisto360:llä", "@Toimisto360", "saas"),
        ("Pilvikko", "Pilvikon", "Pilvikolla", "@PilvikkoTuki", "saas"),
        ("Järvenpään yliopisto", "yliopiston", "yliopistolla", "@JYliopistoIT", "uni"),
        ("Kaarnan AMK", "Kaarnan AMK:n", "Kaarnan AMK:lla", "@KaarnaIT", "uni"),
        ("Raitio", "Raition", "Raitiolla", "@RaitioApp", "transport"),
        ("Kulkuri", "Kulkurin", "Kulkurilla", "@KulkuriLiput", "transport"),
    ],
}

# services per sector (en/nl/fi); nl with article where needed, fi nominative
SERVICES = {
    "en": {
        "telecom": ["mobile data", "4G", "5G", "signal", "voicemail", "eSIM", "roaming", "calls",
                    "the app", "wifi calling", "my SIM"],
        "isp": ["internet", "wifi", "fibre", "broadband", "the router", "the hub", "TV box",
                "connection", "the modem", "upload speed"],
        "bank": ["the app", "card payments", "transfers", "online banking", "login", "contactless",
                 "Apple Pay", "the card", "direct debits", "2FA codes"],
        "saas": ["mail", "the calendar", "docs", "chat", "the admin console", "SSO",
                 "file sync", "video calls", "the web app", "search", "sharing"],
        "uni": ["eduroam", "campus wifi", "the VPN", "the student portal", "uni email",
                "the printers", "the learning platform", "the library proxy", "MFA",
                "the exam system", "the timetable app"],
        "transport": ["the app", "the e-ticket", "the journey planner", "the ticket scanner",
                      "season pass renewal", "the refund form", "live departures",
                      "the booking page", "mobile tickets", "the QR code"],
    },
    "nl": {
        "telecom": ["mobiele data", "4G", "bereik", "voicemail", "de eSIM", "bellen", "de app",
                    "mijn simkaart", "roaming"],
        "isp": ["internet", "de wifi", "glasvezel", "het modem", "de router", "tv", "de verbinding",
                "de uploadsnelheid"],
        "bank": ["de app", "pinnen", "overboeken", "inloggen", "contactloos betalen",
                 "de bankpas", "Tikkie-betalingen", "internetbankieren", "de sms-codes"],
        "saas": ["de mail", "de agenda", "de documenten", "de chat", "SSO", "de sync",
                 "videobellen", "de webversie", "de beheeromgeving"],
        "uni": ["eduroam", "de wifi op de campus", "de VPN", "het studentenportaal", "mijn uni-mail",
                "de printers", "de leeromgeving", "tentamensysteem", "MFA", "het rooster"],
        "transport": ["de app", "het e-ticket", "de reisplanner", "de poortjes",
                      "het abonnement verlengen", "het restitutieformulier", "de actuele vertrektijden",
                      "mobiel inchecken", "de QR-code"],
    },
    "fi": {
        "telecom": ["mobiilidata", "4G", "kuuluvuus", "vastaaja", "eSIM", "puhelut", "sovellus",
                    "liittymä", "verkko"],
        "isp": ["netti", "wifi", "kuitu", "reititin", "modeemi", "laajakaista", "yhteys", "tv"],
        "bank": ["sovellus", "korttimaksu", "tilisiirto", "kirjautuminen", "lähimaksu",
                 "verkkopankki", "tunnistautuminen", "mobiilimaksu"],
        "saas": ["sähköposti", "kalenteri", "dokumentit", "chatti", "kertakirjautuminen",
                 "synkronointi", "videopuhelu", "selainversio", "hallintapaneeli"],
        "uni": ["eduroam", "kampuksen wifi", "VPN", "opiskelijaportaali", "yliopiston sähköposti",
                "tulostin", "oppimisalusta", "tenttijärjestelmä", "MFA", "lukujärjestys"],
        "transport": ["sovellus", "mobiililippu", "reittiopas", "lipunlukija", "kausilippu",
                      "hyvityslomake", "lähtöajat", "lipunosto", "QR-koodi"],
    },
}

TASKS = {
    "en": ["change my billing address", "add a second user", "set up voicemail",
           "activate an eSIM on a new phone", "port my number", "change the wifi password",
           "get a copy of last year's invoices", "turn off marketing emails",
           "set up an out of office", "share a folder with someone outside the org",
           "connect a Linux laptop to the VPN", "reset MFA on a new phone",
           "freeze my card", "raise my contactless limit", "download statements as CSV",
           "get the student discount", "change the name on my account", "pause my subscription",
           "cancel my contract", "move my plan to my partner", "see data usage per device",
           "set up a standing order", "export my calendar", "recover deleted mail",
           "add my ticket to the wallet", "get a refund for a cancelled train",
           "print double sided from a Mac", "map the shared drive", "change my PIN",
           "upgrade my broadband", "add a travel pass for my kid", "book a bike on the train",
           "enable dark mode", "change the language of the app", "set a spending limit"],
    "nl": ["mijn adres wijzigen", "een tweede gebruiker toevoegen", "mijn voicemail instellen",
           "een eSIM activeren", "mijn nummer meenemen", "het wifi-wachtwoord veranderen",
           "facturen van vorig jaar downloaden", "een afwezigheidsmelding instellen",
           "een map delen met iemand buiten de organisatie", "de VPN op Linux instellen",
           "MFA opnieuw instellen op een nieuwe telefoon", "mijn pas blokkeren",
           "afschriften exporteren naar csv", "studentenkorting krijgen",
           "mijn abonnement pauzeren", "mijn contract opzeggen", "dubbelzijdig printen",
           "een netwerkschijf koppelen", "mijn pincode wijzigen", "een kind toevoegen aan mijn account",
           "een fiets meenemen", "de taal van de app veranderen", "een limiet instellen",
           "geld naar een buitenlandse rekening overmaken", "mijn reisgeschiedenis bekijken"],
    "fi": ["vaihtaa laskutusosoitteen", "lisätä toisen käyttäjän", "ottaa eSIMin käyttöön",
           "siirtää numeron", "vaihtaa wifin salasanan", "ladata viime vuoden laskut",
           "asettaa poissaoloviestin", "jakaa kansion organisaation ulkopuolelle",
           "ottaa VPN:n käyttöön Linuxilla", "palauttaa MFA:n uudella puhelimella",
           "jäädyttää kortin", "viedä tiliotteet CSV:nä", "saada opiskelija-alennuksen",
           "keskeyttää tilauksen", "irtisanoa sopimuksen", "tulostaa kaksipuolisesti",
           "vaihtaa PIN-koodin", "lisätä lapsen matkakortin", "vaihtaa sovelluksen kielen",
           "asettaa käyttörajan", "tehdä toistuvan tilisiirron", "siirtää liittymän toiselle"],
}

FEATURES = {
    "en": ["the new app update", "the live chat", "the status page", "the new router",
           "passkey login", "the outage texts", "instant card freeze", "the spending insights",
           "the journey planner", "the new self-service portal", "the dark mode",
           "the callback option", "the new hub", "the faster VPN client", "split payments"],
    "nl": ["de nieuwe app", "de chat", "de storingspagina", "de nieuwe router", "inloggen met passkey",
           "de sms bij storingen", "de nieuwe selfservice-omgeving", "de reisplanner",
           "de terugbelservice", "de nieuwe VPN-client"],
    "fi": ["uusi sovellus", "chatti", "häiriösivu", "uusi reititin", "uusi itsepalvelu",
           "reittiopas", "takaisinsoittopalvelu", "uusi VPN-ohjelma", "tekstiviesti häiriöistä"],
}

STAFF = {
    "en": ["Sam", "Priya", "Tomasz", "Aisha", "the guy on the phone", "the engineer",
           "the lady on the helpline", "whoever was on chat tonight", "the service desk team",
           "the night shift", "Jonno", "Marta", "the tech who came round"],
    "nl": ["Sanne", "Youssef", "de monteur", "de medewerker aan de telefoon", "de servicedesk",
           "de chatmedewerker", "Pieter", "Fatima", "het webcareteam"],
    "fi": ["Mikko", "Aino", "asentaja", "asiakaspalvelija", "chatin työntekijä", "tukitiimi",
           "Jussi", "Leena", "palvelupiste"],
}

SINCE = {
    "en": ["since this morning", "since 6am", "all day", "since yesterday", "for 3 days now",
           "since the update", "all week", "since last night", "for the second time today",
           "for about an hour", "since Friday", "again"],
    "nl": ["sinds vanochtend", "al de hele dag", "sinds gisteren", "al drie dagen",
           "sinds de update", "al de hele week", "sinds vannacht", "alweer", "sinds vrijdag"],
    "fi": ["aamusta asti", "koko päivän", "eilisestä asti", "jo kolme päivää",
           "päivityksen jälkeen", "koko viikon", "yöstä asti", "taas", "perjantaista asti"],
}

TRIED = {
    "en": ["reinstalled, same thing", "restarted the router twice", "cleared cache, no change",
           "tried wifi and 4G", "logged out and in again", "tried 3 different browsers",
           "turned it off and on again", "reset to factory settings", "tried another card",
           "called twice", "updated the app", "checked the status page, says all fine"],
    "nl": ["opnieuw geïnstalleerd, zelfde verhaal", "router twee keer herstart",
           "cache gewist, maakt niks uit", "via wifi en 4G geprobeerd", "uit- en weer ingelogd",
           "andere browser geprobeerd", "twee keer gebeld", "app geüpdatet",
           "storingspagina zegt dat alles werkt"],
    "fi": ["asensin uudelleen, sama juttu", "käynnistin reitittimen kahdesti",
           "tyhjensin välimuistin, ei apua", "kokeilin wifillä ja 4G:llä",
           "kirjauduin ulos ja sisään", "kokeilin toista selainta", "soitin kaksi kertaa",
           "päivitin sovelluksen", "häiriösivun mukaan kaikki toimii"],
}

CONSEQ = {
    "en": ["I work from home", "exam tomorrow", "need to pay rent today", "deadline at 5",
           "stuck at the station", "can't get into work mail", "clients waiting",
           "lecture starts in 10 min", "shop is full of customers", "on holiday abroad"],
    "nl": ["ik werk thuis", "morgen tentamen", "moet vandaag de huur betalen", "deadline om 5 uur",
           "sta op het perron", "klanten wachten", "college begint zo", "zit in het buitenland"],
    "fi": ["teen etätöitä", "tentti huomenna", "vuokra pitäis maksaa tänään",
           "deadline klo 17", "seison asemalla", "asiakkaat odottaa", "luento alkaa kohta",
           "olen ulkomailla"],
}

CODES = ["503", "504", "500", "401", "E-17", "ERR_CONN", "0x80070005", "'session expired'",
         "'something went wrong'", "'payment declined'", "'invalid token'", "'try again later'"]

EMO = {"neg": ["😡", "🙄", "😤", "😩", "🤦", "😠", "👎", "😞", "😫", "🤬", "😒"],
       "pos": ["🙏", "👍", "🙌", "💙", "😊", "👏", "❤️", "🎉", "💯", "😍"],
       "sarc": ["🙃", "🙂", "👏", "😀", "🤡", "🫠"],
       "neu": ["🤔", "🙏", "", "", "", "", "👀", "🙂"]}

# ---------------------------------------------------------------- templates
# slots: {h} handle, {P} provider, {s} service, {t} task, {f} feature, {st} staff, {since},
# {tried}, {cons}, {code}, {n} small number, {N} bigger number, {e} class emoji, {sarc},
# {angry}, {praise}; fi also {Pg} genitive, {Pi} inessive/adessive

EN = {
    "neg_symptom": [
        "{s} is down", "{s} keeps dropping", "{s} won't load", "{s} isn't working",
        "{s} keeps crashing", "{s} is painfully slow", "{s} keeps logging me out",
        "{s} gives error {code}", "{s} opens and immediately closes", "{s} just spins forever",
        "{s} disconnects every few minutes", "no {s} at all", "{s} stopped working",
        "{s} is dead", "{s} times out every time", "{s} is unusable", "{s} is slow today",
        "{s} fails with {code}", "{s} keeps freezing", "{s} drops out constantly",
    ],
    "neg": [
        "{h} {S_sym} {since}. {tried}.", "{h} {S_sym} {since}. {cons}. {angry}",
        "{P} {s_sym} {since}. {tried}. {cons}.", "{S_sym} {since}. {tried}. {e}",
        "{h} {s_sym}. {tried}. {tried2}.", "{P}: {s_sym}. again.",
        "{h} I've been charged twice this month. please refund.",
        "{h} charged twice for the same bill. {angry}",
        
        
        "{h} still waiting for my refund. {n} weeks now. {angry}",
        "been on hold with {P} for {N} minutes. {angry}",
        "{h} locked out of my account {since}, the reset email never arrives.",
        
        
        "{P} support closed my ticket without fixing anything. {e}",
        "third engineer visit from {P} and {s} still doesn't work.",
        "{P} cut my {s} off by mistake and now wants a reconnection fee. {angry}",
        "{h} {s_sym} and your status page says everything is fine. it is not fine.",
        
        "seriously {h} how hard can it be to {t}?? {n} calls and nobody knows",
        "{P} {s} has been rubbish {since}. {cons}. sort it out",
        "{h} fix your {s} please, {s_sym} {since}",
        "{P} just billed me for a plan I cancelled in {month}.",
        "{h} my bill went up {n}0% with zero notice. {angry}",
        "the new {P} app update broke {s}. {tried}. {e}",
        "{P} {s} {since}. {cons}. {e}",
        "can't {t} because {s_sym}. {cons}.",
        "{h} {s_sym}. {cons}. this is the {ord} time this month",
        "{P}'s chat bot just loops me back to the FAQ. I need a human. {e}",
        "{P} promised a callback {n} days ago. still nothing.",
        "somebody at {P} please look at this, {s_sym} {since} {e}",
        "{P} really needs to sort out {s}. it's been like this {since}.",
        
        "love {P} normally but {s_sym} {since} and nobody replies {e}",
        "my {s} with {P} is {s_sym_short} again. third time this week.",
        "{h} your website says {code} and the app says {code2}. can't pay my bill.",
        
        "{P} sent my new card to my old address even though I updated it twice.",
        "my parcel of patience with {P} has run out. {s_sym} {since}.",
        "{P} moved me to a new plan without asking. more expensive, less data.",
        "{h} your engineer didn't show up. took the day off work for nothing.",
        "{P} {s} down. again. {e}",
        "{h} ticket #{N} open {since}. zero updates.",
        
        "{h} {s_sym} {since}. {cons}. any ETA?", "{f} is fine but {s_sym} {since}. {angry}",
        "{h} I was billed for {n} months I didn't use after cancelling. want it back.",
        "{h} {s} {s_sym_short} again, {n}th time since I switched to {P}. regretting it.", 
        
        "{P} {f} is nice in theory but {s_sym}. {e}", "{f} looks great, shame {s_sym} {since}.",
        
        
        
        
        
        
        
        
        
        
        
    ],
    "sarc": [
        "{P} {s_sym} {since}. {sarc}", "{h} {s_sym} {since}. {sarc}",
        "oh good, {P} {s} is down again. {sarc}", "{sarc} {P} {s} {since_short}. {e}",
        "{h} {n} hours on hold. {sarc}", "so {s_sym} right before my {thing}. {sarc}",
        "nothing like {P} {s} dying during my {thing}. {sarc}",
        "{P} charging me extra for {s} that doesn't work. {sarc}",
        "another {P} 'upgrade', another broken {s}. {sarc}",
        "thanks {h}, {s_sym} {since}. really needed that today. {e}",
        "wow {P}, {s_sym} {since}. impressive stuff {e}",
        
        
        
        
        "{P} {s} drops the moment I start a call. {sarc}",
        "{P} 'improved' {s} and now it takes {n} taps instead of one. {sarc}",
    ],
    "sarc_tail": ["Love that for us 🙃", "great, just great.", "Lovely.", "fantastic. {e}",
                  "10/10 service as always", "Brilliant job {e}", "perfect timing as usual",
                  "cool cool cool.", "what a time to be alive", "stellar work, truly",
                  "amazing. just amazing.", "thanks for nothing", "genius move",
                  "top tier service", "well done guys 👏", "living the dream",
                  "peak customer experience", "can't wait to pay my bill for this"],
    "angry": ["ridiculous.", "fix it.", "unacceptable.", "sort it out.", "absolute joke.",
              "this is getting old.", "so done with this.", "pathetic.", "fed up.",
              "not good enough.", "what am I paying for?", "useless.", "sick of it.", "", ""],
    "neu": [
        "{h} how do I {t}?", "how do I {t} in the {P} app?", "can I {t} online or do I need to call?",
        "{h} is there a way to {t}?", "anyone know how to {t} with {P}?",
        "quick question {h}: can I {t} from the app?", "does {P} let you {t}?",
        "{h} where do I go to {t}? can't find it in settings", "what's the easiest way to {t}?",
        "is it possible to {t} without visiting a shop?", "{h} hi, how long does it take to {t}?",
        "does {P} support {proto}?", "{h} does the {P} plan include {inc}?",
        "{h} {s} {mild}. is this a known issue?", "{s} {mild} since the update. any fix?",
        "{h} is there an outage in {city}? {s} {mild_short}.",
        "is it just me or is {P} {s} {mild_short}?", 
        "{h} {s} {mild}, works on my phone though. anything I can try?",
        
        
        "got a text 'from {P}' asking me to verify my account via a link. fake, right?",
        
        "tip for {P} users: {tip} if {s} {mild_short}.",
        "feature request {h}: let me {t} from the app",
        "{P} please add a way to {t}. would save me a call every time.",
        "it would be great if {P} let admins {t} in bulk",
        "{P} is raising prices by {n}% from {month}, according to the email I got.",
        "{P} is opening a new office in {city} apparently.",
        
        "Planned maintenance: {P} {s} unavailable {day} {time}. Thanks for your patience.",
        "[{P}] Incident: {s} degraded for some customers. Status: investigating.",
        "Outage reports: {P} – {N} user reports in the last hour. Most reported: {s}. #outage",
        "{P} {s} p95 latency {n}.{n2}s (baseline 0.{n}s). Automated check.",
        "Reminder: {P} accounts must set up MFA before {day} {n}. Guide: {P_url}/mfa",
        "{P} app version {n}.{N}.0 is out. Changes: bug fixes and performance improvements.",
        
        "switching from {P} to another provider next month. do I need to return the {dev}?",
        "{h} what time does the {P} helpdesk open on {day}?",
        "is the {P} shop in {city} open on {day}?",
        "{h} my contract ends in {month}. what are my options?",
        "{h} I moved house, do I need a new {dev} or can I take the old one?",
        
        "{h} what's the difference between the two {P} plans?",
        "heading to {country} next week. does {P} roaming work there without extra cost?",
        "hi {h}, my account got locked after too many attempts. how do I unlock it?",
        "{h} can you DM me? question about my last invoice.",
        "{P} {s} update rolled out today, still getting used to it.",
        "comparing {P} and another provider for our office. anyone got experience?",
        "{h} my kid needs their own account. do they get a separate login?",
        "heads up {h}, {s} {mild_short} tonight, switched to a workaround for now.",
        
        
        
        
        
        
        "why does {P} {s} {mild}? nothing changed on our side",
        
        
        "{s} {mild} since {day}. {tried}. any ideas?",
        "{h} {s} {mild} for me, a colleague's is fine. anything to check on my side?",
        "news: {P} will move support to chat only from {month}.",
    ],
    "neu_noise": [
        "Follow for follow? drop your handle below #f4f", "{P_word} weather is wild today",
        "new blog post: 10 productivity tips for remote teams {url}",
        "Cheap replica bags, free shipping, order at bagdeals{n}[.]shop",
        "{h}", "{h} .", "...", "RT if you're still awake",
        "watching the match tonight, anyone else?", "meeting at 3, coffee first",
    ],
    "mild": ["is a bit slow", "takes ages to load", "shows a weird error", "disconnects sometimes",
             "asks me to log in again every day", "shows the wrong balance for a minute",
             "doesn't sync right away", "is slower than usual", "drops once in a while",
             "won't connect on my laptop", "shows an old version", "says 'try again later'"],
    "mild_short": ["slow", "down", "acting up", "timing out", "not loading", "glitchy"],
    "tip": ["check your phone's clock", "clear the app cache", "forget the network and reconnect",
            "turn off the VPN first", "update the app", "use the browser version",
            "restart the router", "switch to 2.4GHz"],
    "pos": [
        "{h} {s} is back, thanks for the quick fix! {e}", "shoutout to {st} at {P}, {fixed}. {praise}",
        "{st} from {P} {fixed}. {praise} {e}", "{f} from {P} is {great}. {praise}",
        "been with {P} {n} years, never a problem. {praise}", "{P} support was {great} today. {e}",
        "{h} thank you! {s} works again {e}", "honestly {f} is {great}, well done {P}",
        
        "switched to {P} last month and {s} has been rock solid. {e}",
        "{h} {st} fixed {s} in {n} minutes. {praise}",
        
        "kudos to {P} for the clear updates during the outage {e}",
        "fair play {P}, {s} back up within the hour and a proper explanation. {e}",
        
        "{f} saved me today. {praise} {e}",
        "never thought I'd say this but {P} {s} is {great}.",
        
        "{P} upgraded my {dev} for free. {praise}",
        "smooth again after the update {e} thanks {h}",
        "{P} fixed the issue I reported in a day. {praise}",
        "{st} at the {P} help desk is a legend {e}",
        "the {P} team sorted my {s} issue over chat, took {n} minutes. {praise}",
        "love {f}, {great}!", "{P} continues to be {great}. {e}",
        "Thanks for all your feedback! {e} {f} is live for everyone from today.",
        
        
        
        
        
        
        "no issues at all since {P} fixed {s}. {praise}",
        "{n} months with {P} {s} and not one dropout. {e}", "{P} just keeps working, which is all I want. {e}",
        
        "{h} the outage was handled really well, clear updates and a fix within the hour {e}",
    ],
    "great": ["brilliant", "excellent", "so good", "really smooth", "fantastic", "genuinely great",
              "a game changer", "super helpful", "spot on", "awesome", "lovely", "top notch"],
    "praise": ["Thank you!", "thanks so much", "legends.", "give this person a raise",
               "great service", "really impressed", "well done", "much appreciated",
               "can't fault it", "10/10", "more of this please", "cheers!", "nice one."],
    "fixed": ["sorted my login in 5 minutes", "fixed my wifi on the first call",
              "got my refund processed same day", "unlocked my account at 11pm",
              "explained everything clearly", "replaced my router next day",
              "stayed on the line until it worked", "fixed the VPN issue in no time"],
}

NL = {
    "neg_symptom": [
        "{s} ligt eruit", "{s} werkt niet", "{s} doet het niet", "{s} is super traag",
        "{s} valt steeds weg", "{s} crasht steeds", "{s} geeft foutmelding {code}",
        "{s} laadt niet", "{s} blijft hangen", "{s} is onbruikbaar", "{s} is traag vandaag",
        "{s} logt me steeds uit", "geen {s}", "{s} opent en sluit meteen weer",
    ],
    "neg": [
        "{h} {S_sym} {since}. {tried}.", "{h} {S_sym} {since}. {cons}. {angry}",
        "{P}: {s_sym} {since}. {tried}.", "{S_sym} {since} bij {P}. {e}",
        "{h} ik ben deze maand dubbel afgeschreven. Graag terugbetalen.",
        "{h} twee keer geïncasseerd voor dezelfde factuur. {angry}",
        
        "al {N} minuten in de wacht bij {P}. {angry}",
        "{h} ik kom mijn account niet meer in, de resetmail komt nooit aan.",
        "De sms-code van {P} komt niet aan. {n} keer geprobeerd.",
        "Betaal {P} voor 500 Mbit en krijg er {N}. {tried}. {angry}",
        "{P} heeft mijn ticket gesloten zonder iets op te lossen {e}",
        "Derde keer een monteur van {P} en {s} doet het nog steeds niet.",
        "{h} los dit nou eens op, {s_sym} {since}", "{P} {s} is {since} waardeloos. {cons}.",
        "{P} rekent me een abonnement dat ik in {month_nl} heb opgezegd.",
        "Na de update van {P} is {s} kapot. {tried}. {e}",
        
        "{h} {s_sym}. Dit is de {ord_nl} keer deze maand.",
        "De chatbot van {P} stuurt me steeds terug naar de FAQ. Ik wil een mens spreken {e}",
        "{P} zou me {n} dagen geleden terugbellen. Nog niks gehoord.",
        "{P} {s} {since} kapot. {cons}. {e}",
        "{h} jullie monteur is niet komen opdagen. Vrij genomen voor niks.",
        "{h} ticket {N} staat {since} open, geen enkele update.",
        
        "{P} heeft mijn prijs met {n}0% verhoogd zonder bericht. {angry}",
        "Iemand heeft het mailadres van mijn account veranderd en ik kom er niet meer in {h}",
        
        "nog steeds {s_sym_short}, {h}. {angry}",
    ],
    "sarc": [
        "{P} {s_sym} {since}. {sarc}", "{h} {s_sym} {since}. {sarc}",
        "Ach, {s} bij {P} ligt er weer uit. {sarc}", "{h} {n} uur in de wacht. {sarc}",
        "Precies tijdens mijn {thing_nl} {s_sym}. {sarc}",
        "Weer een 'verbetering' van {P} en weer is {s} stuk. {sarc}",
        "Bedankt {h}, {s_sym} {since}. Precies wat ik nodig had vandaag {e}",
    ],
    "sarc_tail": ["Top hoor 🙃", "Lekker dan.", "Goed bezig.", "Knap hoor 👏", "Geweldig weer.",
                  "Bedankt voor niks.", "Ja hoor.", "Fantastisch {e}", "Chapeau.",
                  "Echt super service.", "Heerlijk begin van de dag.", "Klasse werk 🙃"],
    "angry": ["Belachelijk.", "Los het op.", "Onacceptabel.", "Schandalig.", "Echt waardeloos.",
              "Ik ben er klaar mee.", "Waar betaal ik voor?", "Wat een ellende.", "", ""],
    "neu": [
        "{h} hoe kan ik {t}?", "Hoe kan ik in de {P}-app {t}?", "Kan ik online {t} of moet ik bellen?",
        "{h} is er een manier om {t}?", "Weet iemand hoe je bij {P} {t}?",
        "Vraagje {h}: kan ik via de app {t}?", "{h} waar kan ik {t}? Kan het nergens vinden",
        "Hoe lang duurt het om {t}?", "{h} {s} {mild}. Is dit bekend?",
        "{s} {mild} sinds de update. Iemand een oplossing?",
        "{h} is er een storing in {city}? {s} {mild_short}.", "Ligt het aan mij of is {s} van {P} {mild_short}?",
        "{h} {s} {mild}, op mijn telefoon werkt het wel. Tips?",
        "Kreeg een sms 'van {P}' met een link om mijn account te verifiëren. Phishing toch?",
        "Tip voor {P}-gebruikers: {tip} als {s} {mild_short} is.",
        "Zou fijn zijn als je in de {P}-app kon {t}. Tip!",
        "{P} verhoogt per {month_nl} de prijzen met {n}%, las ik in de mail.",
        "Gepland onderhoud: {s} van {P} is {day_nl} tussen 02:00 en 04:00 niet beschikbaar.",
        "Mogelijke storing bij {P}: {N} meldingen in 15 minuten. Meest gemeld: {s}. #storing",
        "{P}-app versie {n}.{N}.0 beschikbaar. Wijzigingen: bugfixes en verbeteringen.",
        
        "Ik ga over naar een andere provider. Moet ik het {dev_nl} terugsturen?",
        "{h} hoe laat gaat de helpdesk van {P} {day_nl} open?",
        "Mijn contract bij {P} loopt in {month_nl} af. Wat zijn mijn opties?",
        "Volgende week naar {country_nl}. Werkt {P} daar zonder extra kosten?",
        "Mijn account bij {P} is geblokkeerd na te veel pogingen. Hoe krijg ik het weer open?",
        "{h} kunnen jullie me een DM sturen? Vraag over mijn laatste factuur.",
        "Nieuwe telefoon. Hoe zet ik {s} van {P} over zonder gegevens kwijt te raken?",
        "{P} opent een nieuw kantoor in {city}, las ik.", "{h}", "{h} vraagje over mijn abonnement",
    ],
    "neu_noise": ["Wie gaat er vanavond naar de wedstrijd?", "Lekker weertje vandaag in {city}",
                  "Nieuwe blog: 5 tips om thuis te werken {url}", "Volg voor volg? #f4f"],
    "mild": ["is een beetje traag", "doet er lang over", "geeft een rare melding",
             "valt soms even weg", "vraagt elke dag opnieuw om in te loggen",
             "synchroniseert niet meteen", "werkt niet op mijn laptop", "toont een oude versie"],
    "mild_short": ["traag", "eruit", "raar", "niet bereikbaar", "haperend"],
    "tip": ["zet de klok van je telefoon goed", "wis de cache van de app",
            "verwijder het netwerk en maak opnieuw verbinding", "zet de VPN eerst uit",
            "gebruik de webversie", "herstart de router"],
    "pos": [
        "{h} {s} doet het weer, bedankt voor de snelle oplossing! {e}",
        "Complimenten aan {st} van {P}, {fixed}. {praise}", "{st} van {P} {fixed}. {praise} {e}",
        "{f} van {P} is {great}. {praise}", "Al {n} jaar bij {P}, nooit problemen. {praise}",
        "{h} dank jullie wel, {s} werkt weer {e}", "Super snel geholpen door {st} van {P}! {e}",
        "Sinds ik bij {P} zit is {s} echt stabiel. {praise}",
        "{P} stuurde dit keer vooraf een bericht over het onderhoud. {praise}",
        
        "Netjes {P}, binnen een uur opgelost en goed uitgelegd. {e}",
        
        
        
        "{P} is echt zoveel fijner dan mijn oude provider. {e}",
    ],
    "great": ["top", "geweldig", "super handig", "echt fijn", "fantastisch", "prima", "heel fijn"],
    "praise": ["Top!", "Bedankt!", "Dikke pluim.", "Zo hoort het.", "Hulde!", "Chapeau!",
               "Heel tevreden.", "Goed bezig!", "Klasse."],
    "fixed": ["had mijn login binnen 5 minuten geregeld", "loste het in één keer op",
              "regelde mijn terugbetaling dezelfde dag", "heeft alles rustig uitgelegd",
              "kwam de volgende dag al een nieuwe router brengen", "bleef aan de lijn tot het werkte"],
}

FI = {
    "neg_symptom": [
        "{s} ei toimi", "{s} on nurin", "{s} pätkii koko ajan", "{s} on tosi hidas",
        "{s} kaatuu", "{s} ei aukea", "{s} antaa virheen {code}", "{s} jumittaa",
        "{s} ei lataudu", "{s} heittää ulos", "{s} on ihan käyttökelvoton", "{s} ei yhdistä",
        "{s} on hidas tänään",
    ],
    "neg": [
        "{h} {S_sym} {since}. {tried}.", "{h} {S_sym} {since}. {cons}. {angry}",
        "{Pg} {s_sym} {since}. {tried}.", "{S_sym} {since} {e}",
        "{h} veloititte tässä kuussa kahdesti. Palauttakaa rahat.",
        
        "Oon jonottanu {Pg} asiakaspalveluun {N} minuuttia. {angry}",
        "{h} tunnistautumiskoodi ei tule ollenkaan. {n} kertaa yritetty.",
        "Maksan {Pg} 500 megasta ja saan {N}. {tried}. {angry}",
        "{P} sulki tiketin korjaamatta mitään {e}",
        "Kolmas asentajakäynti ja {s} ei vieläkään toimi.",
        "{h} korjatkaa jo, {s_sym} {since}", "{Pg} {s} on ollut {since} surkea. {cons}.",
        "Päivityksen jälkeen {Pg} {s} on rikki. {tried}. {e}",
        "Miks {Pi} on mahdoton {t}?? Kaikki valikot käyty läpi {e}",
        "{h} {s_sym}. Jo {ord_fi} kerta tässä kuussa.",
        "{Pg} chattibotti ohjaa aina takaisin UKK-sivulle. Haluun puhua ihmiselle {e}",
        "{P} lupas soittaa takaisin {n} päivää sitten. Ei mitään.",
        "{h} ei oo kuulunu mitään tiketistä {since}.",
        
        "Nosti hintaa {n}0% ilman ilmotusta. {angry} {h}",
        
        "Joku vaihtoi tilini sähköpostin, enkä pääse enää sisään {h}",
    ],
    "sarc": [
        "{Pg} {s_sym} {since}. {sarc}", "{h} {s_sym} {since}. {sarc}",
        "No niin, {Pg} {s} taas nurin. {sarc}", "{h} {n} tuntia jonossa. {sarc}",
        "Just tentin aikana {s_sym}. {sarc}", "Kiitti {h}, {s_sym} {since}. Just tätä kaipasin {e}",
    ],
    "sarc_tail": ["Hienoa 🙃", "Mahtavaa taas.", "Kiitos tästä.", "Loistavaa palvelua 👏",
                  "Ihanaa.", "Just parasta.", "Huippua {e}", "Kiitti vaan."],
    "angry": ["Ihan naurettavaa.", "Korjatkaa.", "Ei voi olla totta.", "Surkeeta palvelua.",
              "Ärsyttää.", "Mitä mä tästä maksan?", "Riittää jo.", "", ""],
    "neu": [
        "{h} miten voin {t}?", "Miten {Pi} voi {t}?", "Voiko {Pi} {t} sovelluksessa?",
        "{h} onko mitään tapaa {t}?", "Tietääkö kukaan miten {Pi} voi {t}?",
        "Kysymys: voiko {t} netissä vai pitääkö soittaa?", "{h} {s} {mild}. Onko tämä tiedossa?",
        "{s} {mild} päivityksen jälkeen. Onko ratkaisua?", "{h} onko {city}ssa häiriö? {s} {mild_short}.",
         "Tuli tekstari '{Pg}' nimissä, jossa linkki tilin vahvistukseen. Huijaus?",
        "Vinkki: {tip}, jos {s} {mild_short}.", "{P} vois lisätä mahdollisuuden {t}.",
        "{P} nostaa hintoja {n}% {month_fi}, luin sähköpostista.",
        "Huoltokatko: {Pg} {s} ei ole käytettävissä {day_fi} klo 2–4.",
        "Häiriöilmoituksia: {P} – {N} ilmoitusta viimeisen tunnin aikana. #häiriö",
        "{Pg} sovelluksen versio {n}.{N}.0 julkaistu. Muutokset: korjauksia.",
        "{h} mihin aikaan {Pg} palvelupiste aukeaa {day_fi}?",
        "Sopimus loppuu {month_fi}. Mitä vaihtoehtoja on?",
        "Lähden ensi viikolla {country_fi}. Toimiiko {Pg} liittymä siellä ilman lisämaksua?",
        "{h} tili lukittui liian monen yrityksen jälkeen. Miten saan sen auki?",
        "{P} avaa uuden toimipisteen {city}iin, luin lehdestä.",
        "{h} {s} {mild}, puhelimella toimii kyllä. Mitä voisin kokeilla?", "{h}",
    ],
    "neu_noise": ["Kuka lähtee illalla matsiin?", "Aika myrskyinen ilma tänään {city}ssa",
                  "Uusi blogi: 5 vinkkiä etätöihin {url}"],
    "mild": ["on vähän hidas", "latautuu pitkään", "näyttää oudon virheen",
             "katkeilee välillä", "pyytää kirjautumaan joka päivä uudestaan",
             "ei synkronoi heti", "ei yhdistä läppärillä"],
    "mild_short": ["hidas", "nurin", "jumissa", "oudosti", "pätkii"],
    "tip": ["tarkista puhelimen kello", "tyhjennä sovelluksen välimuisti",
            "unohda verkko ja yhdistä uudelleen", "käytä selainversiota", "käynnistä reititin uudelleen"],
    "pos": [
        "{h} {s} toimii taas, kiitos nopeasta korjauksesta! {e}",
        "Pakko kehua {Pg} asiakaspalvelua, {fixed}. {praise}", "{st} {fixed}. {praise} {e}",
        "{Pg} {f} on {great}. {praise}", 
        "{h} kiitos, {s} toimii taas {e}", "Sain {Pi} apua {n} minuutissa. {praise} {e}",
        "{Pg} {f} on kyllä tosi selkeä. {praise}",
        "{P} ilmoitti huoltokatkosta etukäteen. {praise}",
        
        
        
    ],
    "great": ["loistava", "tosi hyvä", "mahtava", "huippu", "erinomainen", "tosi kätevä"],
    "praise": ["Kiitos!", "Iso kiitos!", "Hyvä homma!", "Suosittelen.", "Huippua!",
               "Kiitos tosi paljon.", "Näin sen pitää mennä."],
    "fixed": ["sain chatissa apua 2 minuutissa", "ongelma ratkesi heti",
              "hyvitys tuli samana päivänä", "kaikki selitettiin selkeästi",
              "uusi reititin tuli seuraavana päivänä"],
}

# ---------------------------------------------------------------- more template families
# Written from how customers talk to IT providers in general: problem report + question,
# "nice but ..." (negative), sarcasm after a problem, praise phrased with negations ("never
# had an issue"), thanks after a fix, plain how-to / info questions, PSAs, spam and ads.
EN["neg_symptom"] += [
    "{s} has been cutting out", "{s} won't let me log in", "{s} is buffering non stop",
    "{s} shows a blank page", "{s} is stuck on loading", "{s} keeps asking for my password",
    "{s} randomly disconnects", "{s} has no connection at all", "{s} is crawling",
]
EN["neg"] += [
    "{h} {s_sym} {since}. any update?", "why is {s} {s_sym_short} again {h}?",
    "{h} when will {s} be fixed? {cons}.", "hey {h}, {s_sym} {since}. what's going on?",
    "day {n} without {s}. {P} keeps saying an engineer is coming.",
    "{h} how many times do I have to report the same fault? {s_sym} {since}.",
    "paying full price for {s} that barely works. {angry}",
    "{h} your {s} has been down {since} and nobody is telling us anything",
    "can't {t}, the site keeps throwing {code}. tried {n} times.",
    "{P} why does {s} drop every evening? {tried}.",
    "{h} spent {n} hours on this today. {s_sym} and support can't help.",
    "still no {s}. {n} days. {P} this is not ok.",
    "{P} cancelled my order without telling me, found out from my bank.",
    "my {s} was fine until {P} 'upgraded' it. now {s_sym}.",
    "{P} please, {s_sym} {since} and the whole team is stuck",
    "worst {P} experience yet. {s_sym} and the agent hung up on me.",
    "{h} got a late fee because your payment page was down. I want it removed.",
    "honestly thinking of leaving {P}. {s_sym} {since}.",
    "{h} why has my bill doubled? nobody told me about a price change.",
    "{P} support: 'have you tried restarting?' yes. {n} times.",
    "{h} I was promised a call back within 24 hours. that was {n} days ago.",
    "is anyone at {P} actually reading these? {s_sym} {since}",
    "{h} {s_sym} during my {thing}. had to do it from my phone. not happy.",
    "{P} the fix you pushed last night made {s} worse",
    "{h} third time I'm asking: when do I get my money back?",
    "{h} can someone please call me back? {s_sym} {since} and I {cons}.",
    # nice but ... -> negative
    "love the new {f} but {s_sym} {since}. {angry}",
    "{st} was lovely on the phone but {s} still doesn't work.",
    "support was friendly, I'll give them that, but {n} calls later {s_sym}.",
    "thanks for the reply {h} but that didn't fix anything. {s_sym}.",
    "appreciate the quick answer, but {s_sym} again {since}.",
    "{P} is usually great but {s_sym} {since}. what happened?",
    "good price, shame about the service. {s_sym} {since}.",
    "{f} is a nice touch. would be nicer if {s} actually worked.",
    "nice app {P}, pity I can't log in to it. {e}",
]
EN["sarc"] += [
    "{S_sym} {since}. great job {P} 👏", "another day, another {P} outage. {sarc}",
    "thanks {P}, I really wanted to spend my evening on hold {e}",
    "oh look, {s} is down. what a surprise {e}",
    "nice one {P}, {s_sym} {since}. really nice 🙃",
    "so glad I pay {P} every month for {s} that doesn't work {e}",
    "{P} never fails to disappoint. {s_sym} again.",
    "can always count on {P} to break {s} right before a deadline. {sarc}",
    "{n} hours to get through to a human at {P}. {sarc}",
]
EN["neu"] += [
    "{h} is {s} included in my plan?", "{h} hi, I'd like to {t}. can you help?",
    "{h} I'm moving to {city} next month, how do I take my contract with me?",
    "does anyone know if {P} works with {proto}?",
    "{h} I got an email about {f}, does that change anything for me?",
    "which {P} plan would you pick for a family of {n}?",
    "{h} do you have an outage map somewhere?",
    "PSA: {P} {s} maintenance {day} {time}. plan around it.",
    "heads up, {P} is changing the login page from {month}.",
    "Update from {P}: {s} has been restored for all customers. Incident closed.",
    "{h} can I get invoices with my company name on them?",
    "step by step guide to {t} with {P} {url}",
    "pro tip: {tip} before calling {P}, it's usually that.",
    "{h} how do I check whether my {dev} needs a firmware update?",
    "{P} {s}: what's the max number of devices per account?",
    "our office is switching to {P} next week. anything we should set up first?",
    "{h} I have a question about {f}. who should I contact?",
    "reminder for students: {t} before the deadline on {day}.",
    "{h} received a letter about a new {dev}. do I need to do anything?",
    "anyone here using {P} for work? how's {s} for video calls?",
]
EN["neu_noise"] += [
    "check out my new video {url}", "selling my old {dev}, barely used, DM me",
    "good morning everyone ☕", "who else is working late tonight?",
    "#hiring IT support analyst in {city}, apply {url}",
]
EN["pos"] += [
    "never had an issue with {P} {s}. {praise}", "zero buffering all weekend. {P} {s} is {great} {e}",
    "not a single dropout since the new {dev}. {praise}",
    "no complaints here, {P} {s} has been solid {good_for}.", "can't fault {P}, {s} just works.",
    "no more {problem} since I switched to {P} {e}",
    "didn't expect much but {st} {fixed}. {praise}",
    "{P} hasn't let me down once in {n} years {e}",
    "no hold music, no waiting, {st} {fixed}. {praise}",
    "not bad at all {P}, setting up {s} took {n} minutes {e}",
    "zero issues since the fix, thanks {h}!",
    "{h} all working now, thank you for sorting it so fast {e}",
    "update: {s} is back after {P} reset the line. thanks {st}!",
    "{h} that did it, {s} works again. appreciate the help!",
    "fixed! thanks {h} for the quick reply {e}", "{h} problem solved, thanks for your patience 🙏",
    "cheers {h}, refund received. {praise}", "{h} the engineer came today and everything works. {praise}",
    "had my doubts about {f} but it's {great}", "{P} {s} hasn't dropped once {good_for} {e}",
    "shout out to {P} for the heads up before the maintenance. {praise}",
    "five stars for {st} at {P}. {praise}",
]
NL["neg"] += [
    "{h} {s_sym} {since}. Enig idee wanneer het opgelost is?", "Waarom is {s} alweer {mild_short} {h}?",
    "Dag {n} zonder {s}. {P} blijft zeggen dat er een monteur komt.",
    "{h} hoe vaak moet ik dezelfde storing nog melden? {s_sym} {since}.",
    "Vol tarief betalen voor {s} die amper werkt. {angry}",
    "{P} waarom valt {s} elke avond weg? {tried}.",
    "Zit nu al {n} uur met dit gedoe. {s_sym} en de helpdesk weet het ook niet.",
    "{h} mijn rekening is verdubbeld zonder dat iemand iets zei.",
    "Ik zit serieus te denken om weg te gaan bij {P}. {s_sym} {since}.",
    "{h} jullie zouden binnen 24 uur terugbellen. Dat is {n} dagen geleden.",
    "Leest er iemand bij {P} mee? {s_sym} {since}",
    # mooi maar ... -> negatief
    "De nieuwe {f} is mooi, maar {s_sym} {since}. {angry}",
    "{st} was heel vriendelijk, maar {s} doet het nog steeds niet.",
    "Bedankt voor de reactie {h}, maar het is niet opgelost. {s_sym}.",
    "{P} is meestal prima, maar {s_sym} {since}. Wat is er aan de hand?",
    "Leuke app {P}, jammer dat ik niet kan inloggen. {e}",
]
NL["sarc"] += [
    "{S_sym} {since}. Goed bezig {P} 👏", "Weer een dag, weer een storing bij {P}. {sarc}",
    "Dank je {P}, precies hoe ik mijn avond wilde doorbrengen: in de wacht {e}",
    "Kijk eens aan, {s} ligt eruit. Wat een verrassing {e}",
    "Fijn dat ik elke maand betaal voor {s} die het niet doet {e}",
]
NL["neu"] += [
    "{h} zit {s} bij mijn abonnement inbegrepen?", "{h} hoi, ik wil graag {t}. Kunnen jullie helpen?",
    "{h} ik verhuis volgende maand naar {city}, hoe neem ik mijn contract mee?",
    "Weet iemand of {P} werkt met {s} op een Mac?", "{h} hebben jullie ergens een storingskaart?",
    "Let op: {P} heeft {day_nl} tussen 01:00 en 05:00 onderhoud aan {s}.",
    "Update van {P}: {s} werkt weer voor alle klanten. Storing afgesloten.",
    "{h} kan ik facturen op bedrijfsnaam krijgen?", "Handleiding: zo kun je bij {P} {t} {url}",
    "Tip: {tip} voordat je {P} belt, meestal is dat het.",
    "{h} ik heb een vraag over {f}. Bij wie moet ik zijn?",
    "Ons kantoor stapt volgende week over op {P}. Moeten we vooraf iets instellen?",
]
NL["neu_noise"] += [
    "Bekijk mijn nieuwe video {url}",
    "Goedemorgen allemaal ☕", "Te koop: mijn oude {dev_nl}, zo goed als nieuw",
    "#vacature servicedeskmedewerker in {city}, solliciteer via {url}",
]
NL["pos"] += [
    "Nog nooit problemen gehad met {s} van {P}. {praise}",
    "Het hele weekend geen enkele hapering. {P} {s} is {great} {e}",
    "Geen klachten hier, {s} van {P} werkt {good_for} perfect.",
    "Geen storingen meer sinds ik bij {P} zit {e}",
    "Had niet veel verwachtingen, maar {st} {fixed}. {praise}",
    "Geen wachtrij, geen gedoe, {st} {fixed}. {praise}",
    "{h} alles werkt weer, bedankt voor de snelle hulp {e}",
    "{h} dat was het, {s} doet het weer. Dank je!", "Opgelost! Bedankt {h} voor de snelle reactie {e}",
    "{h} geld is teruggestort. {praise}", "{h} de monteur is geweest en alles werkt. {praise}",
    "Fijn dat {P} vooraf liet weten dat er onderhoud was. {praise}",
]
FI["neg"] += [
    "{h} {s_sym} {since}. Milloin korjaantuu?", "Miksi {s} on taas {mild_short} {h}?",
    "Päivä {n} ilman toimivaa yhteyttä. {P} lupaa aina että asentaja tulee.",
    "{h} montako kertaa saman vian voi ilmoittaa? {s_sym} {since}.",
    "Täysi hinta palvelusta joka toimii välillä. {angry}",
    "{h} lasku tuplaantui eikä kukaan kertonut mitään.",
    "Mietin jo {Pg} vaihtamista. {S_sym} {since}.",
    "{h} piti soittaa takaisin vuorokauden sisällä. Siitä on {n} päivää.",
    # kiva mutta ... -> negatiivinen
    "Uusi {f} on ihan kiva, mutta {s_sym} {since}. {angry}",
    "{st} oli tosi ystävällinen, mutta {s} ei vieläkään toimi.",
    "Kiitos vastauksesta {h}, mutta ei auttanut. {S_sym}.",
    "{P} on yleensä ok, mutta {s_sym} {since}. Mitä tapahtui?",
]
FI["sarc"] += [
    "{S_sym} {since}. Hyvää työtä {P} 👏", "Taas uusi päivä ja uusi {Pg} katko. {sarc}",
    "Kiva maksaa joka kuukausi palvelusta joka ei toimi {e}",
    "Kas, {s} on nurin. Mikä yllätys {e}",
]
FI["neu"] += [
    "{h} kuuluuko {s} liittymään?", "{h} moi, haluaisin {t}. Voitteko auttaa?",
    "{h} muutan ensi kuussa {city}iin, miten sopimus siirtyy?",
    "{h} onko teillä häiriökarttaa?", "Huomio: {Pg} {s} huoltokatko {day_fi} yöllä.",
    "Tiedote {Pg} puolelta: {s} toimii taas kaikilla asiakkailla.",
    "{h} saako laskun yrityksen nimellä?", "Ohje: näin voit {t} {url}",
    "Vinkki: {tip} ennen kuin soitat asiakaspalveluun, yleensä se auttaa.",
    "{h} kysymys laskusta. Keneen voin olla yhteydessä?",
]
FI["neu_noise"] += [
    "Katso uusi videoni {url}", "Huomenta kaikille ☕",
]
# promotional hype (spam, giveaways, job ads, "recovery" offers) is written in a positive tone
# and labelled positive, as the ITSM dev set labels it: sentiment is the tone of the text, the
# noise stage is what drops it
EN["pos_promo"] = [
    "🔥 earn $500 a day from home, DM me 🔥 {url}", "win a free iPhone! click {url} #giveaway",
    "best VPN deal of the year, 80% off today only {url}",
    "crypto signals group, 10x guaranteed, join now {url} 🚀",
    "🎉 huge sale on every {dev}, up to 70% off! shop now {url}",
    "we're hiring! 🚀 join our amazing support team in {city}, apply at {url}",
    "got my account back in {n} hours thanks to @recoverpro_{n2} 🙏 legit and fast, DM them 💯",
    "amazing deal: unlimited data for just $5 a month! sign up today {url} 🎁",
    "1000 free followers in 24h, guaranteed ✅ {url}",
    "excited to announce our brand new app! try it free for 30 days {url} 🎉",
]
NL["pos_promo"] = [
    "🔥 Verdien €500 per dag vanuit huis, stuur me een DM 🔥 {url}",
    "Win een gratis iPhone! Klik op {url} #winactie",
    "Mega uitverkoop! Tot 70% korting op elke {dev_nl}, alleen vandaag {url} 🎉",
    "Wij zoeken jou! 🚀 Kom ons geweldige supportteam in {city} versterken {url}",
    "Account binnen {n} uur terug dankzij @herstelhulp{n2} 🙏 echt betrouwbaar, stuur een DM 💯",
    "Onbeperkt internet voor maar €5 per maand! Meld je nu aan {url} 🎁",
    "Gratis 1000 volgers in 24 uur, gegarandeerd ✅ {url}",
]
FI["pos_promo"] = [
    "🔥 Tienaa 500 € päivässä kotoa, laita DM 🔥 {url}", "Voita ilmainen iPhone! Klikkaa {url} #arvonta",
    "Mahtava tarjous: rajaton data vain 5 €/kk! Liity nyt {url} 🎁",
    "Etsimme sinua! 🚀 Tule mukaan upeaan tukitiimiimme {city}ssa {url}",
    "Sain tilini takaisin {n} tunnissa @palautus{n2} ansiosta 🙏 luotettava, laita DM 💯",
    "Huippuale! Jopa 70 % alennusta kaikesta, vain tänään {url} 🎉",
]

FI["pos"] += [
    "Ei ole koskaan ollut ongelmia {Pg} kanssa. {praise}",
    "Koko viikonloppuna ei yhtään pätkimistä. {P} {s} on {great} {e}",
    "Ei valittamista, {Pg} {s} on toiminut {good_for} moitteetta.",
    "Ei jonoa, ei säätöä, {st}: {fixed}. {praise}",
    "{h} kaikki toimii taas, kiitos nopeasta avusta {e}",
    "{h} se auttoi, {s} toimii taas. Kiitos!", "Korjattu! Kiitos {h} nopeasta vastauksesta {e}",
    "{h} rahat tuli takaisin. {praise}", "{h} asentaja kävi ja kaikki toimii. {praise}",
]
# flat problem reports (no emotion words) are still negative; provider notices, plain
# questions about an error message and feature ideas stay neutral
EN["neg"] += [
    "{h} I can't {t}, it just says {code}.", "{h} my card was declined at the till twice today, money is in the account.",
    "{h} the app shows a zero balance {since}.", "{h} I think someone got into my account, there are logins I don't recognise.",
    "{h} my order still hasn't arrived, it's been {n} weeks.", "{h} paid my bill but the app says it's overdue.",
    "tried to {t} and it failed halfway, now the account is in a weird state {h}",
    "{h} {s} at our office has been down since 9. {N} people can't work.",
    "{h} my number was ported without my permission. please call me.",
    "still getting {code} on {s}. ticket {N}, no reply.",
    "{P} engineer was meant to come between 8 and 12. it's 3pm.",
    "{h} the direct debit went out twice.", "{h} my new SIM hasn't been activated after {n} days.",
]
EN["pos"] += [
    "finally on {P} fibre and it's {great} {e}", "{s} setup was painless, took {n} minutes. {praise}",
    "{h} quick and friendly as always, thanks {e}", "really happy with {P} so far {e}",
    "{P} refunded me without me even asking. {praise}", "{f} is exactly what I needed. {praise}",
]
EN["neu"] += [
    "Known issue: some {P} customers can't use {s}. Engineers are working on a fix. Updates at {P_url}/status",
    "{h} what does error {code} mean?", "{h} what's the phone number for business support?",
    "how long does a number transfer to {P} usually take?", "{h} is there a student discount on {s}?",
    "{h} does the new {dev} support wifi 6?", "we are moving offices on {day}, how do we move the {P} line?",
    "[Resolved] {P} {s} incident: service has been restored. Root cause under review.",
]
NL["neg"] += [
    "{h} ik kan niet {t}, ik krijg steeds {code}.", "{h} mijn pas werd vandaag twee keer geweigerd, er staat gewoon geld op.",
    "{h} ik denk dat iemand in mijn account zit, er staan inlogpogingen die ik niet ken.",
    "{h} mijn bestelling is na {n} weken nog steeds niet binnen.", "{h} de incasso is twee keer afgeschreven.",
    "{h} de monteur zou tussen 8 en 12 komen, het is nu 3 uur.",
]
NL["pos"] += [
    "Eindelijk glasvezel van {P} en het is {great} {e}", "{h} snel en vriendelijk zoals altijd, dank je {e}",
    "Echt blij met {P} tot nu toe {e}", "{P} heeft zonder gedoe terugbetaald. {praise}",
]
NL["neu"] += [
    "Bekend probleem: een deel van de klanten van {P} kan {s} niet gebruiken. We werken aan een oplossing.",
    "{h} wat betekent foutmelding {code}?", "{h} wat is het nummer van de zakelijke klantenservice?",
    "{h} ondersteunt het nieuwe {dev_nl} wifi 6?",
]
FI["neg"] += [
    "{h} en pysty {t}, tulee vain virhe {code}.", "{h} kortti hylättiin kaupassa kahdesti, tilillä on rahaa.",
    "{h} joku on kirjautunut tililleni, en tunnista kirjautumisia.", "{h} tilaus ei ole vieläkään tullut, {n} viikkoa.",
    "{h} asentajan piti tulla klo 8–12, nyt on kello 15.",
]
FI["pos"] += [
    "Vihdoin {Pg} kuitu ja se on {great} {e}", "{h} nopeaa ja ystävällistä palvelua kuten aina, kiitos {e}",
    "Tosi tyytyväinen palveluun tähän asti {e}",
]
FI["neu"] += [
    "Tiedossa oleva vika: osa {Pg} asiakkaista ei pysty käyttämään palvelua. Korjaus työn alla.",
    "{h} mitä virhe {code} tarkoittaa?", "{h} mikä on yritysasiakkaiden puhelinnumero?",
]

T = {"en": EN, "nl": NL, "fi": FI}
EXTRA = {  # misc slot values shared across templates
    "en": {"month": ["January", "March", "June", "September", "November"],
           "day": ["Sunday", "Saturday night", "Tuesday", "on the 14th"],
           "time": ["02:00-04:00", "from midnight to 3am", "between 1 and 5am"],
           "city": ["Leeds", "Harrowgate", "Brookmere", "Dunmoor", "Kingsway", "Eastwick"],
           "country": ["Spain", "Estonia", "Portugal", "Norway"],
           "thing": ["exam", "Zoom interview", "client demo", "flight check-in", "lecture",
                     "presentation", "online exam"],
           "proto": ["CalDAV", "IPv6", "eSIM on a smartwatch", "SAML SSO", "Apple Pay"],
           "inc": ["EU roaming", "a static IP", "unlimited calls", "a spare SIM"],
           "dev": ["router", "modem", "TV box", "hub"],
           "ord": ["third", "fourth", "fifth"], "q": ["1", "2", "3", "4"],
           "good_for": ["all week", "for months", "since I switched", "all year", "lately"],
           "problem": ["dropouts", "buffering", "random disconnects", "dead spots", "lag"]},
    "nl": {"month_nl": ["januari", "maart", "juni", "september"], "day_nl": ["zondag", "zaterdag", "dinsdag"],
           "city": ["Utrecht", "Zwolle", "Deventer", "Haarlem", "Tilburg", "Groningen"],
           "country_nl": ["Spanje", "België", "Finland", "Portugal"],
           "thing_nl": ["tentamen", "sollicitatiegesprek", "presentatie", "klantmeeting"],
           "dev_nl": ["modem", "tv-kastje", "wifi-punt"], "ord_nl": ["derde", "vierde", "vijfde"],
           "good_for": ["al maanden", "de hele week", "sinds ik ben overgestapt", "al het hele jaar"]},
    "fi": {"month_fi": ["tammikuusta", "maaliskuusta", "kesäkuusta", "syyskuusta"],
           "day_fi": ["sunnuntaina", "lauantaina", "tiistaina"],
           "city": ["Tampere", "Oulu", "Turku", "Jyväskylä", "Kuopio"],
           "country_fi": ["Viroon", "Ruotsiin", "Espanjaan", "Norjaan"],
           "ord_fi": ["kolmas", "neljäs", "viides"],
           "good_for": ["kuukausia", "koko viikon", "vaihdon jälkeen", "koko vuoden"]},
}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
    return " ".join(words)


class _Gen:
    def __init__(self, lang: str, rng: random.Random) -> None:
        self.lang, self.rng, self.t = lang, rng, T[lang]

    def pick(self, xs):
        return self.rng.choice(xs)

    def fill(self, template: str, cls: str, prov) -> str:
        rng, t, lang = self.rng, self.t, self.lang
        if lang == "fi":
            name, gen, ine, handle, sector = prov
        else:
            (name, handle, sector), gen, ine = prov, "", ""
        svc = SERVICES[lang][sector]
        s = self.pick(svc)
        emo = {"negative": "neg", "neutral": "neu", "positive": "pos"}[cls]
        sym = self.pick(t["neg_symptom"])
        sym2 = self.pick(t["neg_symptom"])
        vals = {
            "h": handle if rng.random() < 0.55 else "", "P": name, "Pg": gen, "Pi": ine,
            "s": s, "s2": self.pick(svc), "s_sym3": self.pick(t["neg_symptom"]).format(
                s="everything else", code=self.pick(CODES)), "S_sym": _cap(sym.format(s=s, code=self.pick(CODES))),
            "s_sym": sym.format(s=s, code=self.pick(CODES)),
            "s_sym_short": self.pick(t["mild_short"]) if "mild_short" in t else "down",
            "t": self.pick(TASKS[lang]), "f": self.pick(FEATURES[lang]),
            "f_pos": "speeds", "st": self.pick(STAFF[lang]), "since": self.pick(SINCE[lang]),
            "since_short": self.pick(SINCE[lang]), "tried": self.pick(TRIED[lang]),
            "tried2": self.pick(TRIED[lang]), "cons": self.pick(CONSEQ[lang]),
            "code": self.pick(CODES), "code2": self.pick(CODES), "n": str(rng.randint(2, 9)),
            "n2": str(rng.randint(2, 9)), "N": str(rng.randint(12, 480)),
            "e": self.pick(EMO[emo]) if rng.random() < 0.6 else "",
            "angry": self.pick(t["angry"]), "praise": self.pick(t["praise"]),
            "great": self.pick(t["great"]), "fixed": self.pick(t["fixed"]),
            "mild": self.pick(t["mild"]), "mild_short": self.pick(t["mild_short"]),
            "tip": self.pick(t["tip"]), "url": f"https://t.co/{rng.randrange(10**6, 10**7):x}",
            "P_url": name.lower().replace(" ", "") + ".example",
            "P_word": name.split()[0],
        }
        if lang == "en":
            vals["s_sym_short"] = self.pick(["down", "dropping", "crashing", "broken", "slow"])
        vals["sarc"] = self.pick(t["sarc_tail"]).format(e=self.pick(EMO["sarc"]))
        for key, options in EXTRA[lang].items():
            vals[key] = self.pick(options)
        vals["s_sym"] = vals["s_sym"] if rng.random() < 0.8 else sym2.format(s=s, code="")
        text = template.format(**vals)
        return text

    def post(self, cls: str) -> tuple[str, str]:
        rng, t, lang = self.rng, self.t, self.lang
        provs = PROVIDERS[lang]
        prov = self.pick(provs)
        if cls == "negative":
            kind = "sarcasm" if rng.random() < 0.2 else "complaint"
            group = "sarc" if kind == "sarcasm" else "neg"
        elif cls == "neutral":
            kind = "noise" if rng.random() < 0.07 else "question"
            group = "neu_noise" if kind == "noise" else "neu"
        else:
            kind = "promo" if rng.random() < 0.08 else "praise"
            group = "pos_promo" if kind == "promo" else "pos"
        index = rng.randrange(len(t[group]))
        tpl = t[group][index]
        text = self.fill(tpl, cls, prov)
        if kind not in ("noise", "promo") and rng.random() < 0.03:
            text = f"RT @{self.pick(['sam_k', 'jo_writes', 'nordic_nerd', 'pixelpaula', 'mkv'])}: {text}"
        text = re.sub(r"\s+", " ", text).strip()
        text = re.sub(r"\s+([.,!?])", r"\1", text).replace("..", ".")
        if rng.random() < 0.3:
            text = text.lower()
        if rng.random() < 0.12:
            text = _typo(text, rng)
        if rng.random() < 0.2 and text.endswith("."):
            text = text[:-1]
        if cls == "negative" and kind == "complaint" and rng.random() < 0.08:
            text = text.replace("?", "??").replace(".", "!", 1)
        return text or "...", kind, f"{lang}/{group}/{index}"


def generate(seed: int = 0, counts: dict[str, int] | None = None) -> list[dict]:
    """Deterministic list of ``{"id","lang","text","sentiment","kind"}`` posts (texts unique)."""
    counts = counts or COUNTS
    rng = random.Random(seed)
    rows, seen = [], set()
    for lang, total in counts.items():
        gen = _Gen(lang, rng)
        for cls, share in SHARES.items():
            want, tries = round(total * share), 0
            got = 0
            while got < want and tries < want * 30:
                tries += 1
                text, kind, template = gen.post(cls)
                if text in seen:
                    continue
                seen.add(text)
                rows.append({"id": f"{lang}-{cls[:3]}-{got:04d}", "lang": lang, "text": text,
                             "sentiment": cls, "kind": kind, "template": template})
                got += 1
    return rows


def write(path: Path = OUT, seed: int = 0) -> int:
    rows = generate(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def load(path: Path = OUT) -> tuple[list[str], list[int], list[str], list[str]]:
    """(texts, labels 0/1/2, langs, template ids) of the generated file."""
    ids = {"negative": 0, "neutral": 1, "positive": 2}
    texts, labels, langs, templates = [], [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(ids[row["sentiment"]])
            langs.append(row["lang"])
            templates.append(row["template"])
    return texts, labels, langs, templates


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT), "rows")
