#!/usr/bin/env python3
"""Generate the demo day: ~330 invented public posts about one fictional provider.

"Lumen Telecom" is a made-up broadband + mobile + TV provider in the Netherlands and
Finland. Every text below is hand-written for this demo (template lists with slots), every
author is invented, and the output is fully deterministic::

    python webcare/lab/make_day.py > webcare/demo/day.jsonl

Each output line is one :class:`schemas.Post` as JSON. The day is 2026-11-20 (UTC) and
contains a daily traffic shape, noise (spam, bots, the brand's own posts, off-topic uses
of the word "lumen", retweets, copy-paste duplicates, emoji-only mentions) and one outage
burst (Randstad mobile data + broadband, 18:40-20:30 UTC). ``reply_to_id``,
``conversation_id`` and ``reposted_id`` refer to other posts by their pipeline ``id``
(``demo-N``). Validation results and counts go to stderr.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

from rapidfuzz import fuzz, process

SEED = 20261120
DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)
BURST_START = 18 * 3600 + 40 * 60  # 18:40 UTC
BURST_END = 20 * 3600 + 30 * 60  # 20:30 UTC
STATUS_INVESTIGATING = 18 * 3600 + 57 * 60
STATUS_UPDATE = 19 * 3600 + 31 * 60
STATUS_RESOLVED = 20 * 3600 + 2 * 60

# ---------------------------------------------------------------------------------------
# Names and places (all invented combinations)
# ---------------------------------------------------------------------------------------
EN_FIRST = ["Priya", "Tom", "Sarah", "James", "Aisha", "Daniel", "Emily", "Marco", "Chloe",
            "Ravi", "Hannah", "Liam", "Olivia", "Nathan", "Grace", "Carlos", "Megan", "Ben",
            "Sofia", "Owen", "Leah", "Arjun", "Zoe", "Ethan", "Maya", "Jack", "Nora", "Luca",
            "Ana", "Kevin", "Rachel", "Sam", "Ines", "Dev", "Kate", "Mateo", "Yuki", "Ryan"]
EN_LAST = ["Patel", "Murphy", "Kowalski", "Reid", "Santos", "Chen", "O'Brien", "Rossi",
           "Fischer", "Novak", "Walsh", "Khan", "Turner", "Garcia", "Lindqvist", "Hughes",
           "Moreau", "Silva", "Brennan", "Nakamura", "Okafor", "Price", "Doyle", "Mehta"]
NL_FIRST = ["Anouk", "Daan", "Sanne", "Joost", "Fleur", "Bram", "Lotte", "Thijs", "Iris",
            "Ruben", "Mirjam", "Kees", "Femke", "Sem", "Noor", "Jeroen", "Ilse", "Wouter",
            "Maaike", "Stijn", "Esther", "Pieter", "Yara", "Mohamed", "Fatima", "Bas", "Lieke",
            "Gert", "Marloes", "Tim", "Eline", "Sven", "Hanneke", "Rik", "Demi", "Youssef"]
NL_LAST = ["de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
           "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
           "Brouwer", "de Wit", "Dijkstra", "Kok", "van der Berg", "El Amrani", "Yilmaz",
           "Verhoeven", "Schouten", "van Dam", "Koster", "Prins", "Huisman", "Vermeulen"]
FI_FIRST = ["Aino", "Mikko", "Laura", "Juha", "Elina", "Ville", "Noora", "Antti", "Satu",
            "Jussi", "Hanna", "Teemu", "Riikka", "Lauri", "Maija", "Sami", "Kaisa", "Eero",
            "Tiina", "Otto", "Veera", "Petri", "Sanna", "Joni"]
FI_LAST = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Heikkinen", "Laine", "Koskinen",
           "Järvinen", "Lehtonen", "Salminen", "Hämäläinen", "Rantanen", "Karjalainen",
           "Lindholm", "Tuominen", "Savolainen", "Lahtinen", "Aaltonen"]
NAMES = {"en": (EN_FIRST, EN_LAST), "nl": (NL_FIRST, NL_LAST), "fi": (FI_FIRST, FI_LAST)}

NL_CITIES = ["Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Leiden", "Haarlem", "Delft",
             "Zoetermeer", "Amstelveen", "Eindhoven", "Groningen", "Nijmegen", "Breda",
             "Zwolle", "Arnhem", "Hilversum", "Amersfoort", "Almere"]
RANDSTAD = ["Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Leiden", "Haarlem", "Delft",
            "Zoetermeer", "Amstelveen", "Schiedam", "Gouda", "Hoofddorp", "Dordrecht",
            "Alphen aan den Rijn", "Rijswijk", "Nieuwegein"]
# Finnish inessive ("in X") forms
RANDSTAD_INE = ["Amsterdamissa", "Rotterdamissa", "Haagissa", "Utrechtissa", "Leidenissä",
                "Haarlemissa", "Delftissä", "Amstelveenissä"]
FI_CITIES_EN = ["Helsinki", "Espoo", "Tampere", "Vantaa", "Turku", "Oulu"]
FI_CITIES_INE = ["Helsingissä", "Espoossa", "Tampereella", "Vantaalla", "Turussa", "Oulussa",
                 "Jyväskylässä", "Lahdessa", "Kuopiossa"]
SPOTS = {
    "en": ["Utrecht Centraal", "the A12 near Gouda", "the Zuidas", "Rotterdam Blaak station",
           "Scheveningen beach", "the Delft campus", "Otaniemi in Espoo", "Pasila station",
           "the Science Park in Amsterdam", "my office in Hoofddorp"],
    "nl": ["Utrecht Centraal", "de A12 bij Gouda", "de Zuidas", "station Blaak",
           "het strand van Scheveningen", "de TU-campus in Delft", "het Kralingse Bos",
           "de Uithof", "mijn werk in Hoofddorp"],
    "fi": ["Tampereen keskustassa", "Pasilan asemalla", "Otaniemessä", "Oulun Linnanmaalla",
           "mökillä Savonlinnan lähellä", "Itäkeskuksessa", "Turun satamassa"],
}
DEVICES = ["iPhone 15", "Pixel 8", "Galaxy S24", "iPad", "work laptop", "MacBook",
           "Chromebook", "Xiaomi", "OnePlus", "iPhone 13"]
ENGINEERS = {"en": ["Dennis", "Fatima", "Joost", "Mohamed", "Kevin", "Sanne"],
             "nl": ["Dennis", "Fatima", "Joost", "Mohamed", "Kevin", "Sanne", "Erik"],
             "fi": ["Mikko", "Jari", "Sari"]}
SHOWS = {"en": ["the match", "F1 qualifying", "the Champions League game", "the news",
                "the Friday night film", "the Ajax game"],
         "nl": ["de wedstrijd", "Studio Sport", "het journaal", "Formule 1",
                "de vrijdagavondfilm", "Feyenoord-Ajax"],
         "fi": ["lätkämatsi", "uutiset", "Formula 1 -aika-ajot", "perjantaileffa"]}
MONTHS = {"en": ["September", "October", "August"], "nl": ["september", "oktober", "augustus"],
          "fi": ["syyskuussa", "lokakuussa", "elokuussa"]}
CODES = ["E-403", "LMN-1020", "AUTH_09", "500", "E-17", "ERR_TOKEN", "LMN-77"]
CLOCKS = ["7:30", "8:15", "10:40", "11:05", "13:20", "14:50", "6:45"]

# ---------------------------------------------------------------------------------------
# Hand-written templates. Slots: {b} brand alias (fi also {b_gen}/{b_abl}/{b_all}),
# {city} {spot} {device} {amt} {amt2} {min} {every} {hrs} {days} {speed} {paid} {eng}
# {code} {show} {month} {clock}
# ---------------------------------------------------------------------------------------
T: dict[tuple[str, str], list[str]] = {}

T["en", "billing"] = [
    "{b} charged me twice this month, {amt} gone from my account two days in a row. Who do I talk to?",
    "Just opened my {b} invoice: {amt} instead of the usual {amt2}. Nobody told me about a price change??",
    "Why is there a 'service fee' of {amt} on my {b} bill? Never agreed to that",
    "Cancelled my TV package in {month} and {b} is STILL billing me for it. {days} days later, no refund.",
    "double charged by {b} again. second time this year. at this point it feels like a business model",
    "My direct debit bounced because {b} took {amt} twice and emptied my account. Now there's a late fee on top. Brilliant.",
    "the invoice in the Lumen app says {amt} but my bank says {amt2}. which one is it",
    "Moving house and {b} wants a {amt} 'relocation fee'. For moving a router. Are you kidding me",
    "Anyone else get a {b} invoice for a month they'd already paid? Mine says overdue, I have the bank statement.",
    "Still waiting on the refund {b} promised me {days} days ago. Chat agent said 5 working days 🙃",
    "Got a final reminder from {b} with a {amt} collection fee for an invoice I never received. Not even in the app.",
]
T["en", "access"] = [
    "Locked out of the Lumen app after the update. Keeps saying 'session expired' on my {device} 🙄",
    "Password reset email from {b} never arrives. Checked spam, waited {min} minutes, tried 3 times.",
    "New phone and now I can't get the 2FA code for my {b} account because it goes to... the old SIM. Great design.",
    "Lumen app: error {code} every time I log in. Reinstalled twice on my {device}.",
    "Can't log in to my {b} account, it says my email isn't registered. I've been a customer for 6 years!",
    "The Lumen app logged me out and now the SMS verification code just never comes. Stuck.",
    "Account locked after 3 wrong passwords and the unlock link in the {b} email has expired by the time it arrives",
    "why does my {b} login work on the website but not in the app. same password. same email. error {code}",
    "Trying to reset my {b} password for {min} minutes now. 'Something went wrong, try again later' 🙃",
]
T["en", "connectivity"] = [
    "wifi keeps dropping every {every} minutes since yesterday. {b} router restarted like 5 times. {city}",
    "No 4G at all around {spot} with {b}. Full bars on my colleague's phone (other provider) 🤷",
    "{b} router light has been blinking orange since this morning, no internet. {city}",
    "5G icon shows but nothing loads. {b} in {city}, anyone?",
    "Internet went down at {clock} and came back {hrs} hours later. No message from {b}. Working from home btw",
    "The {b} wifi extender just stops working every evening. Factory reset didn't help.",
    "Mobile data on {b} is dead in {city} since noon. Calls work, data doesn't.",
    "my {device} keeps disconnecting from the {b} wifi but my laptop is fine?? tried forgetting the network already",
    "Fibre box has a red LOS light. {b} says an engineer can come in {days} days. {days} days without internet??",
    "Signal at home in {city} went from 4 bars to 'No service' after {b} did 'network improvements' last week",
]
T["en", "performance"] = [
    "Paying for {paid} Mbit with {b} and getting {speed} in the evening. Every. Single. Evening.",
    "LumenTV buffering nonstop during {show} 😤",
    "Speedtest at 21:00: {speed} Mbps. Speedtest at 10:00: 480 Mbps. {b} what's happening in the evenings in {city}",
    "Ping spikes to 300ms every night on {b}, gaming is impossible",
    "{b} TV box freezes for 10 seconds every few minutes. Internet speed is fine otherwise.",
    "Video calls on {b} turn into a slideshow after 6pm. {city}.",
    "Is {b} throttling? Downloads crawl at {speed} Mbps once the kids get home lol",
    "LumenTV picture keeps dropping to potato quality during {show}, on a {paid} Mbit line",
]
T["en", "security"] = [
    "Got an SMS 'Lumen: your payment failed, pay within 24h' with a weird link. Scam right?",
    "PSA: fake {b} texts going around about a 'refund of {amt}'. Don't click, it's phishing.",
    "Someone got into my {b} account, changed the email and ordered a new SIM. I'm locked out and my number stopped working 😱",
    "Received an email from 'Lumen Telecom Security' asking me to confirm my IBAN. Is that legit {b}?",
    "A guy called claiming to be from the {b} helpdesk wanting remote access to 'fix my router'. Hung up. Be careful people.",
    "There's a login on my {b} account from a device I don't own. Changed the password but how do I kick it out?",
    "my mum almost paid {amt} to a fake 'Lumen' payment page from a text message. please warn your customers {b}",
]
T["en", "how_to"] = [
    "How do I change my wifi password on the {b} router? The app menu moved again",
    "Switching to {b} next month, how do I keep my number? Do I need a port code from my old provider?",
    "What's the trick to setting up the LumenTV box with a soundbar? No sound via HDMI",
    "Can I use my own router with {b} fibre or do I have to keep theirs?",
    "how do I activate an eSIM on {b}? {device}, the QR code just says invalid",
    "Does {b} have an English version of the invoice? My Dutch isn't good enough for this 😅",
    "Quick q: how do I add a second TV box to my {b} subscription?",
    "Is there a way to set up a guest wifi on the {b} modem? Friends visiting next week",
    "Where do I find my PUK code in the Lumen app? Phone locked after 3 wrong PINs",
]
T["en", "feedback"] = [
    "Shoutout to {eng}, the {b} engineer who fixed our fibre today in 20 minutes and explained everything. Legend 🙌",
    "{min} minutes on hold with {b}. Then the call dropped. Then another {min} minutes.",
    "Honestly {b} support chat was quick and friendly today, sorted my issue in 5 min. Credit where it's due.",
    "{b} customer service is a maze. Chatbot sends me to the app, app sends me to the phone line, phone line sends me to the chatbot.",
    "Been with {b} 3 years and never had an issue. Boring in the best way 👍",
    "The hold music at {b} is burned into my brain. {min} min and counting",
    "Nice touch from {b}: they credited me a month after last week's outage without me asking",
    "Asked {b} a simple question via DM {days} days ago. Still 'we'll get back to you'.",
    "The {b} shop in {city} actually fixed my SIM issue on the spot. Friendly staff, zero queue.",
]
T["en", "other"] = [
    "Thinking of switching to {b} for fibre in {city}. Any experiences?",
    "{b} vs the other providers for expats in {city}? English support matters to me",
    "is {b} any good in {city}? moving there in January",
    "Saw a {b} van in our street, hopefully that means fibre is finally coming",
    "The new {b} logo looks like a lightbulb. Fitting for a company called Lumen I guess",
    "{b} ad on the tram this morning had a typo in it lol",
    "Does anyone know if {b} still sells the old unlimited mobile plan? Asking for my dad",
]

T["nl", "billing"] = [
    "{b} heeft {amt} twee keer afgeschreven deze maand. Wie gaat me dat terugbetalen?",
    "Factuur van {b} is ineens {amt} ipv {amt2}. Geen mail, geen uitleg. Top service.",
    "Al {days} dagen wachten op mijn terugbetaling van {b}. Beloofd was binnen 5 werkdagen.",
    "Waarom staan er 'extra kosten' van {amt} op mijn {b} rekening? Nooit iets voor afgesloten",
    "Abonnement opgezegd in {month} en {b} blijft gewoon incasseren. Kan iemand me uitleggen hoe dat werkt?",
    "Aanmaning gekregen van {b} voor een factuur die ik allang betaald heb. Bankafschrift als bewijs, maar niemand neemt op.",
    "verhuiskosten van {amt} bij {b}?? voor het verplaatsen van een modem",
    "Dubbel afgeschreven door {b}, nu staat mijn rekening rood. Wie betaalt die rente?",
]
T["nl", "access"] = [
    "Kan niet meer inloggen in de Lumen app na de update. Foutcode {code}. Iemand een idee?",
    "Mail om mijn wachtwoord te resetten komt gewoon niet binnen. Al {min} minuten wachten, ook spam gecheckt. {b}",
    "Nieuwe telefoon, en nu lukt de tweestapsverificatie van {b} niet meer want de code gaat naar mijn oude nummer 🙄",
    "Account geblokkeerd na 3 pogingen en de ontgrendellink van {b} is al verlopen als hij binnenkomt.",
    "De Lumen app zegt dat mijn e-mailadres niet bekend is. Ben al 8 jaar klant!",
    "sms-code van {b} komt niet aan, dus ik kan niet inloggen. heel fijn zo",
    "Op de website kan ik inloggen bij {b}, in de app niet. Zelfde wachtwoord. Foutcode {code}.",
]
T["nl", "connectivity"] = [
    "Wifi valt elke {every} minuten weg sinds gisteren. {b} modem al 5x opnieuw opgestart. {city}",
    "Geen 4G bij {spot} met {b}. Collega met ander abonnement heeft volle streepjes 🤷‍♀️",
    "Lampje op de router van {b} knippert al de hele ochtend oranje. Geen internet in {city}.",
    "Mobiel internet doet het niet in {city} sinds vanmiddag. Bellen gaat wel. {b}?",
    "Glasvezelkastje heeft een rood lampje. Monteur van {b} kan pas over {days} dagen komen. {days} dagen zonder internet!",
    "wifi in de slaapkamer is gewoon weg sinds het nieuwe modem van {b}. daarvoor nooit problemen",
    "5G-icoontje staat er maar er laadt niks. {b} in {city}, iemand anders ook?",
    "Internet viel om {clock} weg en kwam {hrs} uur later pas terug. Geen bericht van {b}. En ik werk thuis.",
]
T["nl", "performance"] = [
    "Betaal voor {paid} Mbit bij {b} en haal 's avonds {speed}. Elke avond weer.",
    "LumenTV blijft maar bufferen tijdens {show} 😤",
    "Snelheidstest om 21:00: {speed} Mbps. Overdag prima. Wat gebeurt er 's avonds in {city}, {b}?",
    "Ping van 250ms elke avond bij {b}, gamen kun je vergeten",
    "tv-kastje van {b} bevriest om de paar minuten. internet zelf is wel ok",
    "Videobellen via {b} wordt na 18:00 een diavoorstelling. {city}.",
    "Downloads bij {b} kruipen 's avonds naar {speed} Mbps. Wordt er geknepen of zo?",
]
T["nl", "security"] = [
    "Sms gekregen: 'Lumen: uw betaling is mislukt, betaal binnen 24 uur' met een rare link. Phishing toch?",
    "Let op: nep-sms'jes namens {b} over een 'terugbetaling van {amt}'. Niet klikken!",
    "Iemand heeft ingelogd op mijn {b} account en een nieuwe simkaart besteld. Mijn nummer doet het niet meer 😱",
    "Werd gebeld door 'de helpdesk van {b}', ze wilden toegang tot mijn computer om 'de router te repareren'. Opgehangen. Pas op!",
    "Mail van 'Lumen Telecom Beveiliging' om mijn IBAN te bevestigen. Echt of nep, {b}?",
    "Mijn vader heeft bijna {amt} betaald via een nep-betaalpagina van 'Lumen'. Waarschuw je klanten eens {b}",
]
T["nl", "how_to"] = [
    "Hoe verander ik het wifi-wachtwoord van mijn {b} modem? Kan het niet meer vinden in de app",
    "Ik stap over naar {b}, hoe neem ik mijn nummer mee? Heb ik een overstapcode nodig?",
    "Iemand ervaring met het aansluiten van de LumenTV-box op een soundbar? Geen geluid via HDMI",
    "Kan ik mijn eigen router gebruiken bij {b} glasvezel?",
    "Hoe activeer ik een eSIM bij {b}? QR-code geeft 'ongeldig' op mijn {device}",
    "Hoe stel ik een gastnetwerk in op het {b} modem?",
    "Vraagje: hoe voeg ik een tweede tv-ontvanger toe aan mijn {b} abonnement?",
    "Waar vind ik mijn PUK-code in de Lumen app? Telefoon zit op slot",
]
T["nl", "feedback"] = [
    "Top monteur vandaag van {b}, {eng} had het glasvezel binnen 20 minuten gefixt en legde alles rustig uit 👏",
    "{min} minuten in de wacht bij {b}. Toen werd ik eruit gegooid.",
    "Chat van {b} was vandaag echt snel en vriendelijk. Mag ook een keer gezegd worden.",
    "Klantenservice van {b} is een doolhof: chatbot verwijst naar app, app naar telefoon, telefoon naar chatbot.",
    "{days} dagen geleden een DM gestuurd naar {b}. Nog steeds 'we komen erop terug'.",
    "Netjes van {b}: zonder te vragen een maand gecrediteerd na de storing van vorige week",
    "Winkel van {b} in {city} heeft mijn simprobleem meteen opgelost. Vriendelijk en geen wachtrij 👍",
]
T["nl", "other"] = [
    "Overweeg over te stappen naar {b} voor glasvezel in {city}. Ervaringen?",
    "Busje van {b} in de straat, zou er eindelijk glasvezel komen?",
    "Is {b} een beetje goed in {city}? Ik verhuis in januari",
    "Die reclame van {b} komt echt in elk reclameblok voorbij haha",
    "Weet iemand of {b} nog dat oude onbeperkt-abonnement verkoopt? Vraag het voor mijn moeder",
]

T["fi", "billing"] = [
    "{b} veloitti minulta {amt} kahteen kertaan tässä kuussa. Kenelle tästä pitää soittaa?",
    "{b_gen} lasku oli yhtäkkiä {amt} eikä {amt2} kuten ennen. Mitään ilmoitusta hinnanmuutoksesta ei tullut.",
    "Odotan edelleen {b_gen} lupaamaa hyvitystä, {days} päivää jo.",
    "Irtisanoin TV-paketin jo {month}, mutta {b} laskuttaa edelleen. Ihan käsittämätöntä.",
    "Sain {b_abl} maksumuistutuksen laskusta, jonka olen jo maksanut 🙄",
]
T["fi", "access"] = [
    "En pääse kirjautumaan Lumen-sovellukseen päivityksen jälkeen. Virhekoodi {code}.",
    "Salasanan palautusviesti ei tule ollenkaan. Odotin {min} minuuttia ja tarkistin roskapostin. {b}?",
    "Uusi puhelin, eikä {b_gen} kaksivaiheisen tunnistautumisen koodi tule, koska se menee vanhaan numeroon.",
    "Tili lukittui kolmen yrityksen jälkeen, eikä avauslinkki toimi. {b_gen} asiakaspalvelu ei vastaa.",
]
T["fi", "connectivity"] = [
    "Wifi katkeilee {every} minuutin välein {city}. {b_gen} reititin käynnistetty uudelleen monta kertaa.",
    "Ei 4G-verkkoa ollenkaan {spot} {b_gen} liittymällä. Kaverilla toinen operaattori ja täydet palkit.",
    "Reitittimen valo vilkkuu oranssina eikä netti toimi. {b} {city}, onko muilla samaa?",
    "Mobiilidata ei toimi {city} aamusta asti. Puhelut toimii. {b}?",
    "Kuitupäätteessä palaa punainen valo. {b_gen} asentaja pääsee paikalle vasta {days} päivän päästä.",
]
T["fi", "performance"] = [
    "Maksan {paid} megan liittymästä ja illalla {b} antaa {speed}. Joka ilta sama juttu.",
    "LumenTV pätkii koko ajan kun {show} on menossa 😤",
    "Ping hyppii 300 ms:iin joka ilta {b_gen} netissä, pelaamisesta ei tule mitään",
    "Videopuhelut pätkivät iltaisin {city}. Päivällä {b_gen} netti toimii hyvin.",
]
T["fi", "security"] = [
    "Tuli tekstiviesti 'Lumen: maksusi epäonnistui, maksa 24 h sisällä' ja outo linkki. Huijaus, eikö?",
    "Varoitus: {b_gen} nimissä liikkuu huijausviestejä '{amt} hyvityksestä'. Älkää klikatko!",
    "Joku kirjautui {b}-tililleni ja tilasi uuden SIM-kortin. Numeroni ei enää toimi 😱",
]
T["fi", "how_to"] = [
    "Miten vaihdan wifin salasanan {b_gen} reitittimeen? Sovelluksesta en löydä",
    "Vaihdan {b_all}, miten saan numeroni siirrettyä? Tarvitaanko siirtokoodi?",
    "Miten eSIM aktivoidaan {b_gen} liittymään? QR-koodi sanoo vain 'virheellinen'",
    "Saako {b_gen} kuituun käyttää omaa reititintä?",
]
T["fi", "feedback"] = [
    "Iso kiitos {b_gen} asentajalle: kuitu kuntoon 20 minuutissa ja kaikki selitettiin selkeästi 👏",
    "Jonotin {b_gen} asiakaspalveluun {min} minuuttia ja sitten puhelu katkesi.",
    "{b_gen} chat-palvelu oli tänään nopea ja ystävällinen. Pitää kehuakin joskus.",
    "Asiakaspalvelu on labyrintti: chatbot ohjaa sovellukseen, sovellus puhelimeen ja puhelin takaisin chatbotille. {b}",
]
T["fi", "other"] = [
    "Kannattaako {b_gen} kuitu {city}? Kokemuksia?",
    "{b_gen} mainos pyörii joka tauolla, alkaa jo ärsyttää",
    "Onko kellään kokemusta {b_gen} mobiililiittymästä {city}?",
]

# --- outage burst (Randstad, evening) ---
T["en", "burst"] = [
    "Is {b} down?? No mobile data AND the home internet died at the same time in {city}",
    "{b} is completely dead in the Randstad? no 4G, no wifi, nothing #lumendown",
    "Tweeting this from my neighbour's wifi lol. {b} down in {city} for {min} min now",
    "your website says no known issues but literally nothing works in {city} {b}",
    "Router lights all red and my phone says SOS only. {b} outage in {city}?",
    "cool cool cool, {b} dies right in the middle of my work call 🙃",
    "Any expats in {city} on {b}? Do you have internet? Mine's gone and so is my 4G",
    "Can't even call {b} support, line's busy. {min} min on hold then it hung up on me",
    "Whole building in {city} is offline. Neighbours all on {b}. Not a coincidence I guess",
    "{b} down during {show}. Of course. OF COURSE.",
    "Anyone know what's going on with {b}? Mobile internet gone in {city}, my partner's phone too",
    "my kid's online exam just crashed because {b} is down. {city}. thanks a lot",
    "Restarted the router three times before realising it's the whole of {b} 🤦 {city}",
    "No internet, no mobile data, and the Lumen app won't load (obviously). How am I supposed to check the status? {city}",
    "{b} outage in {city}, on the one evening I have a deadline. Any ETA?",
    "Hey {b}, {min} minutes without any signal in {city}. Some communication would be nice.",
]
T["en", "burst_after"] = [
    "{b}'s back for me in {city} ✅ that was a long hour",
    "Still nothing in {city} despite the 'resolved' post @LumenStatus. Restarted everything twice",
    "Internet's back. Would be nice to hear what happened {b}, and whether there's compensation",
    "4G is back, home wifi still down in {city}. Half fixed I guess",
    "ok we're back online. {min} minutes of reading an actual book. not bad honestly 📚",
    "Back up in {city}. Thanks for the updates @LumenStatus, at least you kept us posted",
]
T["nl", "burst"] = [
    "Ligt {b} er nou weer uit?? Geen 4G en thuis ook geen internet in {city} 😡 #storing",
    "Storing bij {b}? Mobiel internet doet het al {min} minuten niet in {city}",
    "Hele straat zonder internet in {city}. Modem van {b} knippert rood. Iemand anders ook?",
    "wanneer is dit opgelost {b}? Moet vanavond nog werken!",
    "Ja hoor, precies tijdens {show} ligt {b} eruit. Top. #lumenstoring",
    "{b} gebeld, {min} minuten in de wacht en toen opgehangen. Er is duidelijk een grote storing maar niemand meldt iets",
    "Alleen SOS in beeld in {city}. {b} plat?",
    "LumenTV zwart, internet weg, 4G weg. Wat is hier aan de hand {b}",
    "Schoonmoeder in {city} ook geen internet. Ligt {b} in de hele Randstad plat?",
    "Ik dacht dat mijn telefoon kapot was, maar het is gewoon {b} dat eruit ligt 🙄 {city}",
    "Geen mobiel internet, geen wifi en de Lumen app laadt natuurlijk ook niet. Hoe moet ik dan zien wat er is? {city}",
    "3x modem herstart voordat ik doorhad dat heel {b} eruit ligt 🤦‍♂️ {city}",
    "Kinderen vervelen zich kapot want {b} ligt eruit in {city}. Dan maar een bordspelletje 🎲",
    "Storing {b} {city}: sinds half acht geen mobiel internet en geen internet thuis. Graag een update!",
    "Storingspagina van {b} zegt 'geen bekende storingen' terwijl de hele Randstad offline is. Serieus?",
    "Thuiswerkers in {city} met {b}, hebben jullie ook niks meer? #lumenstoring",
]
T["nl", "burst_after"] = [
    "Internet is weer terug in {city} 👍 dank {b}",
    "Bij mij nog steeds niks in {city}, terwijl @LumenStatus zegt dat het opgelost is??",
    "Weer 4G. Maar {min} minuten zonder internet, krijgen we compensatie {b}?",
    "Hij doet het weer in {city}. Volgende keer graag iets sneller communiceren {b}",
    "Modem herstart en alles werkt weer. Pfff. #lumenstoring",
    "Mobiel internet terug, thuisinternet nog niet in {city}. Half werk {b}",
]
T["fi", "burst"] = [
    "Onko {b} nurin koko Randstadissa? Ei mobiilidataa eikä kotinettiä {city} 😩",
    "Asun {city} ja {b_gen} netti ja mobiilidata katosivat samaan aikaan. Onko muilla samaa?",
    "Hollannissa asuvat suomalaiset: onko teillä {b_gen} yhteydet poikki? {city} ei toimi mikään",
    "Reititin vilkkuu punaisena ja puhelimessa pelkkä SOS. {b} {city}, mitä tapahtuu?",
    "Jonotin {b_gen} asiakaspalveluun {min} minuuttia ja puhelu katkesi. Koko Randstad ilman nettiä.",
]
T["fi", "burst_after"] = [
    "Netti palasi {city} ✅ kiitos päivityksistä @LumenStatus",
    "Vieläkin ilman nettiä {city}, vaikka {b} sanoo että vika on korjattu",
]

CLOSERS = {
    "en": ["", "", "", "", " 😡", " 🙄", " #fail", " Seriously.", " smh", " pls help",
           " 😤😤", " Anyone else?", " 🤦‍♂️", " #customerservice", " Sort it out."],
    "nl": ["", "", "", "", " 😡", " #lumen", " Echt belachelijk.", " Iemand anders ook?",
           " 🙄", " Pfff.", " #klantenservice", " Graag reactie."],
    "fi": ["", "", "", " 😠", " Aivan surkeaa.", " Apua?", " #lumen", " 🙄"],
}
NEUTRAL_CLOSERS = {"en": ["", "", " Thanks!", " 🙏", " thx"], "nl": ["", "", " Alvast bedankt!", " 🙏"],
                   "fi": ["", "", " Kiitos etukäteen!", " 🙏"]}
SECURITY_CLOSERS = {"en": ["", "", " 😱", " Be careful out there.", " #phishing"],
                    "nl": ["", "", " 😱", " Pas op!", " #phishing"], "fi": ["", "", " 😱", " Varokaa!"]}
POSITIVE_TOPICS = {"how_to", "other"}

# LumenCare replies (signed with an agent initial as webcare teams do)
CARE_REPLY = {
    "en": [
        "Hi {h}, sorry to hear that! Could you send us a DM with your customer number so we can take a look? ^{a}",
        "{h} That's not how it should be, apologies. Please DM us your postcode and customer number and we'll check it right away. ^{a}",
        "Hi {h}, thanks for letting us know. We've sent you a DM so we can sort this out together. ^{a}",
        "{h} Sorry for the hassle! Which postcode is this about? Send it via DM and we'll look into it. ^{a}",
    ],
    "nl": [
        "Hoi {h}, vervelend! Stuur je ons even een DM met je klantnummer? Dan kijken we met je mee. ^{a}",
        "{h} Dat hoort natuurlijk niet zo, excuses. Stuur je postcode en huisnummer via DM, dan zoeken we het uit. ^{a}",
        "Hi {h}, bedankt voor je melding. We hebben je een DM gestuurd zodat we dit samen kunnen oplossen. ^{a}",
    ],
    "fi": [
        "Hei {h}, pahoittelut! Laitathan meille yksityisviestiä asiakasnumerollasi, niin selvitetään asia. ^{a}",
        "{h} Näin ei pitäisi olla, pahoittelut. Lähetä meille yksityisviesti, niin katsotaan asiaa heti. ^{a}",
    ],
}
CARE_BURST_REPLY = {
    "en": [
        "Hi {h}, we're aware of an outage affecting mobile data and home internet in the Randstad. Our engineers are working on it; updates via @LumenStatus. Sorry! ^{a}",
        "{h} Sorry about this! There's a network outage in the Randstad right now, we're working on a fix. Follow @LumenStatus for updates. ^{a}",
    ],
    "nl": [
        "Hoi {h}, er is op dit moment een storing in mobiel internet en thuisinternet in de Randstad. Onze technici zijn ermee bezig, updates via @LumenStatus. Excuses! ^{a}",
        "{h} Vervelend! We hebben een storing in de Randstad en werken aan een oplossing. Volg @LumenStatus voor updates. ^{a}",
    ],
    "fi": ["Hei {h}, Randstadin alueella on verkkohäiriö ja teknikkomme korjaavat sitä. Päivitykset @LumenStatus-tilillä. Pahoittelut! ^{a}"],
}
CARE_AGENTS = ["SK", "Tom", "Mirjam", "JD", "Aino", "Rick", "Lisa"]
FOLLOWUPS = {
    "en": ["DM sent 👍", "done, thanks for the quick reply", "I already did that yesterday and got no answer...",
           "sent. customer number is in there", "Thanks, will do", "ok, DMed you. fingers crossed"],
    "nl": ["DM gestuurd 👍", "Gedaan, dank voor de snelle reactie", "Heb ik gisteren al gedaan, nog niks gehoord...",
           "Is verstuurd", "Oké, DM is onderweg"],
    "fi": ["Lähetetty, kiitos!", "Laitoin viestin jo eilen, ei vastausta...", "Selvä, viesti lähti",
           "Kiitos nopeasta vastauksesta, laitoin tiedot yksityisviestillä", "Tein sen jo, odottelen"],
}
REDDIT_COMMENTS = {
    "en": ["Same here in {city}. It's been like this for weeks honestly.",
           "Had exactly this. What fixed it for me was asking them to send a new router, took 3 days.",
           "Call them and ask for the retention department, they're way more helpful than the chat.",
           "Not just you, my whole street has this with Lumen.",
           "Honestly been fine for me in {city}. Might be your area.",
           "Check if your router is on the latest firmware, fixed it for a friend of mine.",
           "Lumen support in English is hit or miss. The Finnish team answered faster for me lol"],
    "nl": ["Hier in {city} precies hetzelfde. Al weken zo eigenlijk.",
           "Had ik ook. Uiteindelijk een nieuw modem laten opsturen, duurde 3 dagen.",
           "Vraag naar de afdeling opzeggingen, die zijn opeens heel behulpzaam.",
           "Niet alleen jij, hele straat hier heeft het met Lumen."],
}

# --- noise ---
SPAM = [
    ("en", "🚀🚀 Turn €250 into €5,000 in one week with AI crypto trading. DM me 'START' 💰💰 #crypto #bitcoin"),
    ("en", "Lumen Telecom customers: claim your FREE iPhone 16 now!! limited stock 👉 gift-claim-now.example/lumen"),
    ("en", "Follow me for daily #crypto signals, 97% win rate 📈 #bitcoin #XLM #lumens #altcoins"),
    ("nl", "Goedkoop Netflix + Disney + IPTV 12 maanden voor €39! 20.000 zenders, ook alle sport. DM 📩📩"),
    ("en", "Buy 1000 followers for $5 — 100% real, instant delivery 🔥🔥 dm for price list"),
    ("nl", "Bekijk mijn nieuwe video!!! link in bio 💋💋"),
    ("fi", "Kaikki Lumenin asiakkaat: voita 500 € lahjakortti! Klikkaa heti: voitto-nyt.example 🎁"),
    ("en", "Best VPN of 2026 — 80% off today only, works with every provider incl. Lumen 🔒 vpn-deal.example"),
    ("en", "I made $8,400 last month working from home, no experience needed. Ask me how 👇👇"),
    ("en", "XLM lumens airdrop is LIVE 🚀 connect your wallet at stellar-drop-claim.example before it ends"),
    ("nl", "Snel geld lenen zonder BKR-toetsing ✅ binnen 1 uur op je rekening. Stuur een DM"),
]
OFFTOPIC = [
    ("en", "Just got a 1600 lumen headlamp for night runs and wow, it's like daylight 🔦"),
    ("en", "How many lumens do I need for a 20m² living room? LED strips rated 800 lm per metre seem way too bright"),
    ("en", "UE5 Lumen global illumination is eating my GPU alive. Any tips for lowering Lumen quality without killing the look? #gamedev #UnrealEngine"),
    ("en", "Still maintaining an old Lumen micro-framework API in 2026, send help #php #laravel"),
    ("en", "projector box says 3000 ANSI lumens but it's dim as hell with the curtains open"),
    ("en", "TIL a candle is roughly 12 lumens. My bike light is 800. No wonder people squint at me"),
    ("nl", "Nieuwe ledlamp van 806 lumen in de badkamer, veel te fel 😅"),
    ("nl", "Weet iemand hoeveel lumen een fietslamp minimaal moet hebben? Wil tegenliggers niet verblinden"),
    ("nl", "Bij de echo keken ze naar het lumen van het bloedvat, alles ziet er gelukkig goed uit 🙏"),
    ("nl", "Lumen per watt is de enige maat die telt bij een lamp. Niet dat kleurtemperatuur-verhaal"),
    ("fi", "Lumen määrä Oulussa jo 40 cm ❄️ ja lisää tulossa viikonloppuna"),
    ("fi", "Lumen tulo yllätti taas autoilijat Kehä I:llä 🙄 ihan joka vuosi"),
    ("fi", "Lumityöt tehty, mutta lumen paino katolla alkaa vähän huolettaa"),
    ("fi", "Tarvitsen otsalampun pimeille aamulenkeille, riittääkö 500 lumenia?"),
]
JOBS = [
    ("nl", "#vacature Field Engineer Glasvezel – Lumen Telecom – Utrecht – reageer via werkzoek.example/v/88213 #techjobs"),
    ("en", "New job: Customer Care Agent (English/Finnish speaking) at Lumen Telecom, Amsterdam. Apply: jobfeed.example/j/55102 #hiring"),
    ("fi", "Avoin työpaikka: Verkkoasentaja, Lumen Telecom, Tampere. Haku päättyy 5.12. rekryfeed.example/t/3391 #rekry"),
    ("en", "Job alert: Senior Network Engineer (5G core) – Lumen Telecom – Rotterdam – hybrid #networking #jobs jobfeed.example/j/55240"),
    ("nl", "#vacature Medewerker Webcare (parttime) – Lumen Telecom – Den Haag werkzoek.example/v/88390"),
]
NEWS = [
    (8 * 3600 + 5 * 60, "nl", "tf", "Lumen Telecom verhoogt tarieven per 1 januari met 4,9 procent telecomfeed.example/2026/11/20/lumen-tarieven"),
    (9 * 3600 + 40 * 60, "en", "etn", "Lumen Telecom Q3: mobile subscribers up 3%, fixed broadband flat, TV down 2% eurotelco.example/lumen-q3"),
    (12 * 3600 + 10 * 60, "fi", "tu", "Lumen Telecom laajentaa 5G-verkkoaan Ouluun ja Jyväskylään ensi vuonna teleuutiset.example/lumen-5g"),
    (15 * 3600 + 25 * 60, "nl", "tf", "ACM onderzoekt klachten over opzegtermijnen bij kleinere providers, ook Lumen Telecom genoemd telecomfeed.example/2026/11/20/acm"),
    (19 * 3600 + 28 * 60, "nl", "tf", "Grote storing bij Lumen Telecom: duizenden klanten in de Randstad zonder mobiel internet en thuisinternet telecomfeed.example/2026/11/20/storing-lumen"),
    (19 * 3600 + 51 * 60, "en", "etn", "Lumen Telecom outage knocks out mobile data and home broadband across the Randstad eurotelco.example/lumen-outage"),
    (20 * 3600 + 16 * 60, "nl", "tf", "Storing bij Lumen Telecom in de Randstad voorbij, oorzaak lag bij centraal netwerkonderdeel telecomfeed.example/2026/11/20/storing-voorbij"),
]
EMPTYISH = [("x", "@LumenCare"), ("x", "@LumenCare 🙄"), ("x", "@LumenTelecom 👍👍"),
            ("x", "@LumenCare ???"), ("bluesky", ""), ("x", "😴 @LumenCare")]
COPYPASTE_EN = "@LumenCare I was charged TWICE for my November subscription. Refund me and everyone else affected. #LumenDoubleCharge"
COPYPASTE_NL = "Lumen ligt er in de hele Randstad uit. Geen mobiel internet, geen thuisinternet. Los het op @LumenCare! #lumenstoring"

STATUS_POSTS = [
    (5 * 3600 + 40 * 60, "fi", "Huoltotyö: Tampereella kuituyhteyksissä voi olla lyhyitä katkoja la 21.11. klo 4–6. Pahoittelemme häiriötä."),
    (6 * 3600 + 5 * 60, "nl", "Gepland onderhoud: in de nacht van 20 op 21 november kan tv in de regio Utrecht tussen 01:00 en 05:00 kort onderbroken zijn."),
    (6 * 3600 + 6 * 60, "en", "Planned maintenance: TV in the Utrecht region may be briefly interrupted between 01:00 and 05:00 CET on the night of 20-21 November."),
    (STATUS_INVESTIGATING, "nl", "We onderzoeken een storing in mobiel internet en thuisinternet in de Randstad. Onze technici zijn ermee bezig. Update volgt binnen 30 minuten. #lumenstoring"),
    (STATUS_INVESTIGATING + 70, "en", "We're investigating an outage affecting mobile data and home internet in the Randstad region. Engineers are on it; next update within 30 minutes."),
    (STATUS_UPDATE, "nl", "Update storing Randstad: de oorzaak is gevonden in een centraal netwerkonderdeel in Amsterdam. Het herstel is gestart."),
    (STATUS_UPDATE + 55, "en", "Update Randstad outage: cause found in a central network component in Amsterdam. Recovery has started."),
    (STATUS_RESOLVED, "nl", "Opgelost ✅ Mobiel internet en thuisinternet in de Randstad werken weer. Nog problemen? Herstart je modem of telefoon. Excuses voor het ongemak."),
    (STATUS_RESOLVED + 40, "en", "Resolved ✅ Mobile data and home internet in the Randstad are working again. Still having issues? Restart your modem or phone. Sorry for the inconvenience."),
]
CORPORATE = [
    (10 * 3600 + 0 * 60, "x", "en", "Big news: Lumen Fibre 2 Gbit is now available in 40 more towns across the Netherlands and Finland 🚀 Check your address in the Lumen app."),
    (10 * 3600 + 2 * 60, "x", "nl", "Lumen Glasvezel 2 Gbit nu in 40 extra plaatsen beschikbaar 🚀 Check je adres in de Lumen app."),
    (10 * 3600 + 5 * 60, "facebook", None, "Lumen Glasvezel 2 Gbit is er! Nu beschikbaar in 40 extra plaatsen in Nederland en Finland. Benieuwd of jouw adres erbij zit? Kijk in de Lumen app 💡"),
]
FB_CORP_COMMENTS = [
    ("nl", "Leuk hoor 2 Gbit, maar zorg eerst dat de 500 Mbit 's avonds ook echt 500 is"),
    ("nl", "Eindelijk! Al 2 jaar aan het wachten in Amersfoort"),
    ("en", "Still no fibre on our street in Haarlem. Any date?"),
    ("nl", "Misschien eerst de dubbele afschrijvingen van deze maand terugbetalen?"),
    ("fi", "Tuleeko tämä myös Lahteen?"),
]

# ---------------------------------------------------------------------------------------
# UTC hours; 19-20 are thinner because the outage burst is added on top of them
HOUR_WEIGHTS = [1.0, 0.6, 0.35, 0.25, 0.3, 0.6, 1.4, 2.6, 3.6, 4.0, 4.0, 3.7, 3.6, 3.6,
                3.4, 3.4, 3.6, 3.8, 2.8, 0.7, 1.1, 3.6, 2.7, 1.7]
TOPIC_COUNTS = {"billing": 36, "access": 30, "connectivity": 34, "performance": 28,
                "security": 20, "how_to": 32, "feedback": 30, "other": 18}
LANG_WEIGHTS = {"en": 0.54, "nl": 0.26, "fi": 0.20}
PLATFORM_WEIGHTS = {"x": 0.42, "facebook": 0.17, "reddit": 0.13, "bluesky": 0.14, "mastodon": 0.14}
REDDIT_PREFIX = {"how_to": "Question: ", "access": "[Help] ", "connectivity": "[Help] ",
                 "billing": "Rant: ", "performance": "Rant: ", "security": "PSA / help: "}
SUBREDDITS = {"en": ["Netherlands", "Amsterdam", "expats", "HomeNetworking", "Finland", "Rotterdam"],
              "nl": ["thenetherlands", "nederlands", "Utrecht"], "fi": ["Suomi", "Tampere"]}
INSTANCES = {"en": ["mastodon.social", "mastodon.online", "mas.to"],
             "nl": ["mastodon.nl", "toot.community", "mastodon.social"],
             "fi": ["mastodontti.fi", "mastodon.social"]}
TWITTER_EPOCH_MS = 1288834974657
B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"


class Ref:
    """A post under construction; ids are assigned after sorting by time."""

    __slots__ = ("t", "seq", "platform", "text", "lang", "hint", "author", "kind",
                 "reply_to", "conv", "repost", "eng", "pid", "url", "id")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


class Day:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.posts: list[Ref] = []
        self.handles: set[str] = set()
        self.decks: dict = {}
        self.seq = 0
        self.seen: list[str] = []

    # ---------------- helpers ----------------
    def deck(self, key, items):
        """Draw without replacement, reshuffling when exhausted (keeps texts varied)."""
        d = self.decks.get(key)
        if not d:
            d = list(items)
            self.rng.shuffle(d)
            self.decks[key] = d
        return d.pop()

    def exhausted(self, key) -> bool:
        """True once every item of the deck ``key`` has been drawn."""
        return key in self.decks and not self.decks[key]

    def slug(self, s: str) -> str:
        table = str.maketrans("äöåéèëïü", "aoaeeeiu")
        return re.sub(r"[^a-z0-9]", "", s.lower().translate(table))

    def author(self, lang: str, platform: str, followers: int | None = None,
               verified: bool = False, handle: str | None = None, name: str | None = None):
        rng = self.rng
        first_names, last_names = NAMES[lang]
        first, last = rng.choice(first_names), rng.choice(last_names)
        display = name or rng.choice([f"{first} {last}", f"{first} {last}", first,
                                      f"{first} {last[0]}.", f"{first} 🌷" if lang == "nl" else f"{first} ✨"])
        if handle is None:
            for attempt in range(50):
                f, l = self.slug(first), self.slug(last)
                base = rng.choice([f + l, f + "_" + l, f + l[:1] + str(rng.randint(1, 99)),
                                   f + "_" + str(rng.randint(80, 2005)), l + f[:1],
                                   f + rng.choice(["_nl", "_ams", "_030", "_fi", "x", "_in_nl", "tje"])])[:15]
                if platform == "x":
                    handle = "@" + base
                elif platform == "mastodon":
                    handle = "@" + base + "@" + rng.choice(INSTANCES[lang])
                elif platform == "bluesky":
                    handle = base.replace("_", "-") + ".bsky.social"
                elif platform == "reddit":
                    handle = "u/" + rng.choice([first + "_" + last.split()[-1] + str(rng.randint(1, 999)),
                                                rng.choice(["Throwaway", "Dutch", "Sad", "Tired", "Nordic", "Expat", "Lazy"])
                                                + rng.choice(["Router", "Otter", "Herring", "Cyclist", "Moose", "Stroopwafel", "Sauna"])
                                                + str(rng.randint(1, 9999))]).replace(" ", "").replace("'", "")
                else:  # facebook
                    handle = f"{f}.{l}.{rng.randint(1, 99)}"
                first, last = rng.choice(first_names), rng.choice(last_names)
                if handle not in self.handles:
                    break
                handle = None
            if handle is None:  # pragma: no cover - 50 collisions in a row
                raise RuntimeError("could not make a unique handle")
        self.handles.add(handle)
        if followers is None:
            followers = int(min(rng.lognormvariate(5.2, 1.35), 40000))
        if platform == "bluesky":
            aid = "did:plc:" + "".join(rng.choice(B32_SORT) for _ in range(24))
        elif platform == "reddit":
            aid = "t2_" + self.b36(8)
        else:
            aid = str(rng.randint(10**9, 10**18 - 1))
        return {"id": aid, "handle": handle, "display_name": display, "followers": followers,
                "verified": verified}

    @staticmethod
    def norm(text: str) -> str:
        """Text reduced to its letters: equal norms mean near-identical posts."""
        return re.sub(r"[^a-zäöå]+", " ", re.sub(r"@\S+|\d+", "", text.lower())).strip()

    def fresh(self, make, tries: int = 30) -> str:
        """Call ``make()`` until it yields a text unlike every earlier one (similarity < 80,
        as a noise filter would judge it): near-duplicates are opt-in, never accidental."""
        for _ in range(tries):
            text = make()
            key = self.norm(text)
            if process.extractOne(key, self.seen, scorer=fuzz.ratio, score_cutoff=80) is None:
                break
        self.seen.append(key)
        return text

    def b36(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(n))

    def fill(self, template: str, lang: str, platform: str, burst: bool = False) -> str:
        cache: dict[str, str] = {}

        class Slots(dict):
            def __missing__(inner, key):
                if key not in cache:
                    cache[key] = self.slot(key, lang, platform, burst, cache)
                return cache[key]

        return template.format_map(Slots())

    def money(self, lang: str) -> str:
        value = self.rng.choice([29.95, 37.50, 44.99, 49.95, 54.20, 62.50, 64.95, 71.00, 89.00, 112.40, 19.99, 135.80])
        if lang == "en":
            return f"€{value:.2f}"
        if lang == "nl":
            return f"€{value:.2f}".replace(".", ",")
        return f"{value:.2f} €".replace(".", ",")

    def slot(self, key, lang, platform, burst, cache):
        rng = self.rng
        if key in ("b", "b_gen", "b_abl", "b_all"):
            if lang == "fi":
                long = rng.random() < 0.2
                forms = (("Lumen Telecom", "Lumen Telecomin", "Lumen Telecomilta", "Lumen Telecomille") if long
                         else ("Lumen", "Lumenin", "Lumenilta", "Lumenille"))
                cache.update(b=forms[0], b_gen=forms[1], b_abl=forms[2], b_all=forms[3])
                return cache[key]
            options = ["Lumen"] * 5 + ["Lumen Telecom", "lumen"]
            if platform == "x":
                options += ["@LumenCare", "@LumenCare", "@LumenTelecom", "LUMEN"]
            return rng.choice(options)
        if key == "city":
            if burst:
                return rng.choice(RANDSTAD_INE if lang == "fi" else RANDSTAD)
            if lang == "fi":
                return rng.choice(FI_CITIES_INE)
            if lang == "en" and rng.random() < 0.25:
                return rng.choice(FI_CITIES_EN)
            return rng.choice(NL_CITIES)
        if key == "spot":
            return rng.choice(SPOTS[lang])
        if key == "device":
            return rng.choice(DEVICES)
        if key == "amt":
            return self.money(lang)
        if key == "amt2":
            while True:
                v = self.money(lang)
                if v != cache.get("amt"):
                    return v
        if key == "min":
            return str(rng.choice([12, 15, 20, 25, 30, 35, 40, 45, 50, 55, 65, 75, 90]))
        if key == "every":
            return str(rng.choice([2, 3, 5, 10, 15, 20]))
        if key == "hrs":
            return str(rng.randint(2, 6))
        if key == "days":
            return str(rng.randint(3, 14))
        if key == "speed":
            return str(rng.choice([3, 4, 6, 8, 11, 14, 19, 23, 27, 35, 42]))
        if key == "paid":
            return str(rng.choice([250, 500, 1000]))
        if key == "eng":
            return rng.choice(ENGINEERS[lang])
        if key == "code":
            return rng.choice(CODES)
        if key == "show":
            return rng.choice(SHOWS[lang])
        if key == "month":
            return rng.choice(MONTHS[lang])
        if key == "clock":
            return rng.choice(CLOCKS)
        raise KeyError(key)

    def typo(self, text: str) -> str:
        """Occasionally roughen a text: swapped/dropped/doubled letters or no capitals."""
        rng = self.rng
        r = rng.random()
        if r < 0.04:
            return text.lower()
        if r < 0.14:
            words = text.split(" ")
            idx = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
            if idx:
                i = rng.choice(idx)
                w = words[i]
                j = rng.randint(1, len(w) - 2)
                op = rng.choice(["swap", "drop", "double"])
                if op == "swap":
                    w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
                elif op == "drop":
                    w = w[:j] + w[j + 1:]
                else:
                    w = w[:j] + w[j] + w[j:]
                words[i] = w
                return " ".join(words)
        return text

    def add(self, t: int, platform: str, text: str, lang: str | None, author: dict, kind: str,
            reply_to: Ref | None = None, repost: Ref | None = None, hint: str | None = "auto",
            eng: dict | None = None) -> Ref:
        t = max(0, min(int(t), 86399))
        if hint == "auto":
            hint = self.hint(platform, lang)
        conv = None
        if reply_to is not None:
            conv = reply_to.conv or reply_to
        ref = Ref(t=t, seq=self.seq, platform=platform, text=text, lang=lang, hint=hint,
                  author=author, kind=kind, reply_to=reply_to, conv=conv, repost=repost)
        self.seq += 1
        ref.eng = eng if eng is not None else self.engagement(author["followers"], kind)
        self.posts.append(ref)
        return ref

    def hint(self, platform: str, lang: str | None) -> str | None:
        if platform in ("reddit", "facebook") or lang is None:
            return None
        if platform in ("mastodon", "bluesky") and lang != "en" and self.rng.random() < 0.15:
            return "en"  # composer default left on English: a wrong hint, as in real data
        return lang

    def engagement(self, followers: int, kind: str) -> dict:
        rng = self.rng
        if kind in ("retweet",):
            return {"likes": 0, "shares": 0, "replies": 0}
        scale = (1 + followers) ** 0.42 / 4
        if kind in ("spam", "bot", "empty"):
            scale /= 4
        likes = int(rng.expovariate(1.0) * scale)
        return {"likes": likes, "shares": int(likes * rng.random() * 0.35),
                "replies": int(rng.expovariate(1.0) * (1 + scale / 5))}

    def decorate(self, text: str, lang: str, platform: str, topic: str) -> str:
        """Mentions (X only), a topic-fitting closer and the odd typo."""
        rng = self.rng
        if topic in POSITIVE_TOPICS:
            closers = NEUTRAL_CLOSERS[lang]
        elif topic == "feedback":
            closers = [""]
        elif topic == "security":
            closers = SECURITY_CLOSERS[lang]
        else:
            closers = CLOSERS[lang]
        closer = rng.choice(closers)
        if closer[1:2].isupper() and text[-1:].isalnum():
            closer = "." + closer
        text = text + closer
        if platform == "x" and "@Lumen" not in text:
            r = rng.random()
            if r < 0.5:
                text = "@LumenCare " + text
            elif r < 0.65:
                text = text + " @LumenCare"
        return self.typo(text)

    def pick_platform(self, lang: str) -> str:
        weights = dict(PLATFORM_WEIGHTS)
        if lang == "fi":
            weights["reddit"] *= 0.6
        names = list(weights)
        return self.rng.choices(names, [weights[n] for n in names])[0]

    def baseline_time(self) -> int:
        hour = self.rng.choices(range(24), HOUR_WEIGHTS)[0]
        return hour * 3600 + self.rng.randrange(3600)

    # ---------------- brand accounts ----------------
    def brand_authors(self):
        self.care = {"id": "1100000000000000001", "handle": "@LumenCare", "display_name": "Lumen Care",
                     "followers": 24810, "verified": True}
        self.corp = {"id": "1100000000000000002", "handle": "@LumenTelecom", "display_name": "Lumen Telecom",
                     "followers": 61240, "verified": True}
        self.status = {"id": "1100000000000000003", "handle": "@LumenStatus", "display_name": "Lumen Status",
                       "followers": 18330, "verified": True}
        self.status_masto = {"id": "109876543210987654", "handle": "@LumenStatus@mastodon.nl",
                             "display_name": "Lumen Status", "followers": 2140, "verified": False}
        self.fb_page = {"id": "104882736154420", "handle": "LumenTelecom", "display_name": "Lumen Telecom",
                        "followers": 48200, "verified": True}
        for a in (self.care, self.corp, self.status, self.status_masto, self.fb_page):
            self.handles.add(a["handle"])

    def care_reply(self, parent: Ref, burst: bool = False, delay: tuple[int, int] = (6, 110)) -> Ref | None:
        rng = self.rng
        t = parent.t + rng.randint(*delay) * 60 + rng.randint(0, 59)
        if t > 86399:
            return None
        lang = parent.lang or "en"
        who = parent.author["handle"] if parent.platform == "x" else parent.author["display_name"].split()[0]
        pool = (CARE_BURST_REPLY if burst else CARE_REPLY)[lang]
        text = self.deck(("care", lang, burst), pool).format(h=who, a=rng.choice(CARE_AGENTS))
        author = self.care if parent.platform == "x" else self.fb_page
        return self.add(t, parent.platform, text, lang, author, "brand", reply_to=parent)

    # ---------------- building the day ----------------
    def build(self):
        rng = self.rng
        self.brand_authors()
        genuine: list[Ref] = []

        # 1. ordinary customer posts with a daily shape
        for topic, n in TOPIC_COUNTS.items():
            for _ in range(n):
                langs = [lang for lang in LANG_WEIGHTS if not self.exhausted((lang, topic))]
                if not langs:  # every template of this topic used: no accidental copies
                    break
                lang = rng.choices(langs, [LANG_WEIGHTS[lang] for lang in langs])[0]
                platform = self.pick_platform(lang)
                text = self.fresh(lambda: self.decorate(
                    self.fill(self.deck((lang, topic), T[lang, topic]), lang, platform), lang, platform, topic))
                if platform == "reddit" and rng.random() < 0.5:
                    text = REDDIT_PREFIX.get(topic, "") + text
                genuine.append(self.add(self.baseline_time(), platform, text, lang,
                                        self.author(lang, platform), topic))

        # 2. one high-reach non-journalist and a few verified journalists
        yt = self.author("en", "x", followers=126400, verified=False, handle="@gadgetgeert",
                         name="Geert | tech reviews")
        genuine.append(self.add(14 * 3600 + 12 * 60 + 9, "x",
                                "Tested three fibre providers in Utrecht for a video. @LumenCare: great daytime speeds, "
                                "but evenings dropped to 180 of the promised 1000 Mbit. Full results Sunday.",
                                "en", yt, "performance"))
        aino = self.author("fi", "x", followers=61200, verified=True, handle="@ainovirta_toimittaja",
                           name="Aino Virta (toimittaja)")
        aino_post = self.add(11 * 3600 + 12 * 60 + 41, "x",
                             "Lumenin nimissä liikkuu tänään huijaustekstiviestejä, joissa pyydetään maksamaan "
                             "'epäonnistunut lasku' linkin kautta. Lumen ei lähetä maksulinkkejä tekstiviestillä. "
                             "Älkää klikatko. @LumenCare", "fi", aino, "security")
        genuine.append(aino_post)

        # 3. the author who complains three times in a day
        priya = self.author("en", "x", followers=640, handle="@priya_in_haarlem", name="Priya Raman")
        p1 = self.add(9 * 3600 + 7 * 60 + 12, "x",
                      "@LumenCare you charged me €64.95 twice this month. Can you refund the second one please? "
                      "Customer since 2021.", "en", priya, "billing")
        p2 = self.add(12 * 3600 + 48 * 60 + 3, "x",
                      "@LumenCare still nothing. DM'd you this morning too. Day 1 of waiting for my own money back 🙃",
                      "en", priya, "billing", reply_to=p1)
        self.add(13 * 3600 + 31 * 60 + 40, "x",
                 "@priya_in_haarlem Sorry for the wait, Priya! We've picked up your DM and a colleague from billing "
                 "will contact you today. ^SK", "en", self.care, "brand", reply_to=p2)
        p3 = self.add(19 * 3600 + 14 * 60 + 22, "x",
                      "@LumenCare ...and now the internet is down as well. Charged twice for a service that doesn't "
                      "work. Third time asking today, nobody called. #LumenDoubleCharge", "en", priya, "billing")

        # 4. copy-paste campaign (intended near-duplicates)
        variants = ["", " 😡", " Again.", "", " @LumenTelecom"]
        for i, v in enumerate(variants):
            a = self.author("en", "x")
            self.add(10 * 3600 + 30 * 60 + i * rng.randint(1500, 4000) + rng.randint(0, 600), "x",
                     COPYPASTE_EN + v, "en", a, "copypaste")

        # 5. LumenCare replies + user follow-ups on ordinary complaints
        replyable = [p for p in genuine if p.platform in ("x", "facebook") and p.kind not in ("other",)
                     and p.reply_to is None and p.t < 22 * 3600]
        rng.shuffle(replyable)
        for parent in replyable[:11]:
            reply = self.care_reply(parent)
            if reply is not None and rng.random() < 0.5:
                lang = parent.lang
                t = reply.t + rng.randint(2, 40) * 60
                tgt = "@LumenCare " if parent.platform == "x" else ""
                self.add(t, parent.platform, tgt + self.fresh(lambda: self.deck(("fu", lang), FOLLOWUPS[lang])), lang,
                         parent.author, parent.kind, reply_to=reply)

        # 6. reddit threads: comments on a few reddit posts
        reddit_roots = [p for p in genuine if p.platform == "reddit" and p.lang in REDDIT_COMMENTS]
        rng.shuffle(reddit_roots)
        for root in reddit_roots[:5]:
            for _ in range(rng.randint(1, 2)):
                t = root.t + rng.randint(5, 180) * 60
                text = self.fresh(lambda: self.fill(self.deck(("rc", root.lang), REDDIT_COMMENTS[root.lang]),
                                                    root.lang, "reddit"))
                self.add(t, "reddit", text, root.lang, self.author(root.lang, "reddit"), root.kind, reply_to=root)

        # 7. brand's own posts: status, corporate, comments on the corporate Facebook post
        status_refs = {}
        for t, lang, text in STATUS_POSTS:
            status_refs[t] = self.add(t, "x", text, lang, self.status, "brand")
        self.add(STATUS_RESOLVED + 180, "mastodon", STATUS_POSTS[7][2], "nl", self.status_masto, "brand")
        corp_fb = None
        for t, platform, lang, text in CORPORATE:
            author = self.corp if platform == "x" else self.fb_page
            ref = self.add(t, platform, text, lang, author, "brand")
            if platform == "facebook":
                corp_fb = ref
        for lang, text in FB_CORP_COMMENTS:
            self.add(corp_fb.t + rng.randint(3, 300) * 60, "facebook", text, lang,
                     self.author(lang, "facebook"), "feedback", reply_to=corp_fb)

        # 8. noise: spam, off-topic "lumen", job and news feeds, outage bots, empty mentions
        for lang, text in SPAM:
            platform = rng.choice(["x", "x", "x", "facebook", "bluesky", "mastodon"])
            a = self.author(lang, platform, followers=rng.randint(0, 60))
            self.add(self.baseline_time(), platform, text, lang, a, "spam")
        for lang, text in OFFTOPIC:
            platform = rng.choice(["x", "reddit", "bluesky", "mastodon"])
            self.add(self.baseline_time(), platform, text, lang, self.author(lang, platform), "offtopic")
        jobbot = {"nl": ("@TechVacaturesNL", "Tech Vacatures NL 🤖"), "en": ("@EUTechJobsFeed", "EU Tech Jobs (bot)"),
                  "fi": ("@RekryFeedFI", "RekryFeed")}
        for lang, text in JOBS:
            h, name = jobbot[lang]
            a = {"id": str(900000 + len(h)), "handle": h, "display_name": name, "followers": 3200, "verified": False}
            self.handles.add(h)
            self.add(self.baseline_time(), "x", text, lang, a, "bot")
        newsbot = {"tf": ("@TelecomFeedNL", "TelecomFeed.nl", 9400),
                   "etn": ("@EuroTelcoNews", "EuroTelco News", 22600),
                   "tu": ("@TeleUutiset", "TeleUutiset", 5100)}
        news_refs = []
        for t, lang, key, text in NEWS:
            h, name, f = newsbot[key]
            a = {"id": str(800000 + sum(map(ord, h))), "handle": h, "display_name": name, "followers": f, "verified": False}
            self.handles.add(h)
            news_refs.append(self.add(t + rng.randint(0, 59), "x", text, lang, a, "bot"))
        radar = {"id": "7700001", "handle": "@StoringRadarNL", "display_name": "StoringRadar 🤖",
                 "followers": 15800, "verified": False}
        watch = {"id": "7700002", "handle": "@OutageWatchEU", "display_name": "OutageWatch EU (bot)",
                 "followers": 11200, "verified": False}
        self.add(7 * 3600 + 55 * 60 + 13, "x", "⚠️ Lumen Telecom: 14 meldingen in het afgelopen uur. "
                 "Meest genoemd: tv (57%), internet thuis (29%). #lumenstoring", "nl", radar, "bot")
        for t, n, p1_, p2_ in ((18 * 3600 + 52 * 60, 212, 48, 41), (19 * 3600 + 10 * 60, 1180, 55, 38),
                               (19 * 3600 + 40 * 60, 2465, 52, 40)):
            self.add(t + 7, "x", f"⚠️ Storing bij Lumen Telecom? {n} meldingen in het afgelopen uur. Meest genoemd: "
                     f"mobiel internet ({p1_}%), internet thuis ({p2_}%). Locaties: Amsterdam, Rotterdam, Den Haag, "
                     f"Utrecht #lumenstoring", "nl", radar, "bot")
        for t, pct in ((18 * 3600 + 49 * 60, 61), (19 * 3600 + 23 * 60, 58)):
            self.add(t + 31, "x", f"Lumen Telecom is having issues since 18:41 UTC. Reported problems: mobile internet "
                     f"({pct}%), home internet ({100 - pct - 4}%), TV (4%). #LumenDown #outage", "en", watch, "bot")
        for platform, text in EMPTYISH:
            lang = "und" if text else None
            a = self.author(rng.choice(["en", "nl"]), platform)
            self.add(self.baseline_time(), platform, text, lang, a, "empty", hint=lang)

        # 9. the outage burst
        burst_refs = self.build_burst(p3)

        # 10. retweets (X): of status posts, the journalists, news and a few complaints
        rt_sources = ([status_refs[STATUS_INVESTIGATING], status_refs[STATUS_RESOLVED]]
                      + [self.eva_post] * 2 + [aino_post] * 2 + [news_refs[4], p3]
                      + [p for p in burst_refs if p.platform == "x"][:2]
                      + [p for p in genuine if p.platform == "x" and p.kind == "security"][:2])
        for src in rt_sources:
            lang = src.lang if src.lang in ("en", "nl", "fi") else "en"
            a = self.author(lang, "x")
            body = f"RT {src.author['handle']}: {src.text}"
            if len(body) > 140:
                body = body[:139].rstrip() + "…"
            self.add(src.t + rng.randint(1, 45) * 60 + rng.randint(0, 59), "x", body, src.lang, a, "retweet",
                     repost=src)

    def build_burst(self, priya_third: Ref) -> list[Ref]:
        rng = self.rng
        out: list[Ref] = []
        plan = [("en", 16), ("nl", 16), ("fi", 4)]
        for lang, n in plan:
            for _ in range(n):
                t = int(rng.triangular(BURST_START + 30, STATUS_RESOLVED + 120, 19 * 3600 + 12 * 60))
                platform = self.pick_platform(lang)
                text = self.fresh(lambda: self.decorate(
                    self.fill(self.deck((lang, "burst"), T[lang, "burst"]), lang, platform, True),
                    lang, platform, "connectivity"))
                out.append(self.add(t, platform, text, lang, self.author(lang, platform), "outage"))
        for lang, n in (("en", 4), ("nl", 3), ("fi", 1)):
            for _ in range(n):
                t = int(rng.triangular(STATUS_RESOLVED + 60, BURST_END - 60, STATUS_RESOLVED + 60))
                platform = self.pick_platform(lang)
                text = self.fresh(lambda: self.fill(self.deck((lang, "after"), T[lang, "burst_after"]),
                                                    lang, platform, True))
                if platform == "x" and "@Lumen" not in text and rng.random() < 0.5:
                    text = "@LumenCare " + text
                out.append(self.add(t, platform, self.typo(text), lang, self.author(lang, platform), "outage"))
        # copy-paste in the burst
        for i in range(3):
            a = self.author("nl", "x")
            out.append(self.add(19 * 3600 + 5 * 60 + i * 420 + rng.randint(0, 300), "x",
                                COPYPASTE_NL + ("" if i != 1 else " 😡"), "nl", a, "copypaste"))
        # journalists
        eva = self.author("nl", "x", followers=84300, verified=True, handle="@evahoekstra", name="Eva Hoekstra")
        self.eva_post = self.add(19 * 3600 + 22 * 60 + 5, "x",
                                 "Flinke storing bij Lumen Telecom: in de hele Randstad liggen mobiel internet én "
                                 "thuisinternet eruit. Lumen bevestigt de storing, oorzaak nog onbekend. Ben je "
                                 "ondernemer of thuiswerker en getroffen? DM staat open.", "nl", eva, "outage")
        tom = self.author("en", "bluesky", followers=58100, verified=True, handle="tomwhitaker.bsky.social",
                          name="Tom Whitaker")
        self.add(19 * 3600 + 38 * 60 + 40, "bluesky",
                 "Lumen Telecom's Randstad outage is a neat reminder that running mobile and fixed broadband on one "
                 "core network means one failure takes out both. If you're in NL and affected: what are you seeing?",
                 "en", tom, "outage")
        out.append(self.eva_post)
        # reddit thread
        op = self.author("en", "reddit")
        root = self.add(18 * 3600 + 55 * 60 + 30, "reddit",
                        "Lumen down in the Randstad? Both mobile data and home internet gone\n\nDen Haag here. Router "
                        "shows red, phone has no data, can't reach their support. Is it just me?", "en", op, "outage")
        out.append(root)
        for text, lang, mins in (("Same in Leiden. Both gone at exactly the same moment.", "en", 4),
                                 ("Rotterdam Noord ook. Alles plat.", "nl", 9),
                                 ("Their status account just confirmed it, they're investigating.", "en", 14),
                                 ("Back up here in Delft as of a minute ago", "en", 72)):
            out.append(self.add(root.t + mins * 60 + rng.randint(0, 50), "reddit", text, lang,
                                self.author(lang, "reddit"), "outage", reply_to=root))
        # emoji-only mention in the burst
        self.add(19 * 3600 + 33 * 60 + 12, "x", "@LumenCare 😡😡😡", "und", self.author("nl", "x"), "empty", hint="und")
        # LumenCare burst replies to some X complaints
        xs = [p for p in out if p.platform == "x" and p.kind == "outage" and p.t < STATUS_RESOLVED and p.reply_to is None]
        xs.sort(key=lambda p: p.t)
        for parent in xs[2::4][:5] + [priya_third]:
            self.care_reply(parent, burst=True, delay=(2, 12))
        return out

    # ---------------- output ----------------
    def finish(self) -> list[dict]:
        rng = self.rng
        self.posts.sort(key=lambda p: (p.t, p.seq))
        for i, p in enumerate(self.posts, 1):
            p.id = f"demo-{i}"
        used_pids = set()
        lines = []
        for p in self.posts:
            when = DAY + timedelta(seconds=p.t)
            ms = int(when.timestamp() * 1000) + rng.randrange(1000)
            h = p.author["handle"]
            while True:
                if p.platform == "x":
                    pid = str(((ms - TWITTER_EPOCH_MS) << 22) + rng.randrange(1 << 22))
                    url = f"https://x.com/{h.lstrip('@')}/status/{pid}"
                elif p.platform == "mastodon":
                    pid = str((ms << 16) + rng.randrange(1 << 16))
                    user, inst = h.lstrip("@").split("@")
                    url = f"https://{inst}/@{user}/{pid}"
                elif p.platform == "bluesky":
                    tid = ((ms * 1000) << 10) + rng.randrange(1024)
                    pid = "".join(B32_SORT[(tid >> (5 * k)) & 31] for k in range(12, -1, -1))
                    url = f"https://bsky.app/profile/{h}/post/{pid}"
                elif p.platform == "reddit":
                    if p.reply_to is None:
                        pid = "t3_1h" + self.b36(5)
                        sub = rng.choice(SUBREDDITS.get(p.lang or "en", SUBREDDITS["en"]))
                        p.url = f"https://www.reddit.com/r/{sub}/comments/{pid[3:]}/"
                        url = p.url
                    else:
                        pid = "t1_m" + self.b36(6)
                        url = (p.reply_to.url or "https://www.reddit.com/") + f"comment/{pid[3:]}/"
                else:  # facebook
                    page = "104882736154420"
                    pid = f"{page}_{rng.randint(10**15, 10**16 - 1)}"
                    url = f"https://www.facebook.com/LumenTelecom/posts/{pid.split('_')[1]}"
                if pid not in used_pids:
                    break
            used_pids.add(pid)
            p.pid, p.url = pid, url
            rec = {"id": p.id, "platform": p.platform, "platform_id": pid, "text": p.text,
                   "created_at": when.strftime("%Y-%m-%dT%H:%M:%SZ")}
            if p.hint:
                rec["lang"] = p.hint
            rec["author"] = p.author
            rec["url"] = url
            if p.reply_to is not None:
                rec["conversation_id"] = p.conv.id
                rec["reply_to_id"] = p.reply_to.id
            if p.repost is not None:
                rec["reposted_id"] = p.repost.id
            rec["engagement"] = p.eng
            lines.append(rec)
        return lines


def validate_and_report(lines: list[str], day: Day) -> None:
    err = sys.stderr
    ids, last = set(), ""
    for n, line in enumerate(lines, 1):
        rec = json.loads(line)
        assert rec["id"] not in ids, f"duplicate id {rec['id']}"
        assert rec["created_at"] >= last, f"line {n} not sorted"
        for ref_key in ("reply_to_id", "conversation_id", "reposted_id"):
            if ref_key in rec:
                assert rec[ref_key] in ids, f"line {n}: {ref_key} points forward or nowhere"
        ids.add(rec["id"])
        last = rec["created_at"]
    posts = day.posts
    burst = [p for p in posts if BURST_START <= p.t < BURST_END]
    print(f"posts: {len(lines)}  (valid JSON, unique ids, sorted by created_at)", file=err)
    outage = [p for p in burst if p.kind in ("outage", "bot", "brand", "retweet", "copypaste", "empty")
              or p.author["handle"] == "@priya_in_haarlem"]
    print(f"burst window 18:40-20:30 UTC: {len(burst)} posts ({len(outage)} outage-related, "
          f"{len(burst) - len(outage)} ordinary background)", file=err)
    show = lambda title, c: print(f"{title}: " + ", ".join(f"{k}={v}" for k, v in c), file=err)  # noqa: E731
    show("text language", sorted(Counter(p.lang or "-" for p in posts).items()))
    show("lang hint", sorted(Counter(p.hint or "(omitted)" for p in posts).items()))
    show("platform", Counter(p.platform for p in posts).most_common())
    show("kind", Counter(p.kind for p in posts).most_common())
    noise = sum(p.kind in ("spam", "bot", "brand", "offtopic", "retweet", "copypaste", "empty") for p in posts)
    print(f"noise: {noise} ({100 * noise / len(posts):.0f}%)", file=err)
    hours = Counter(p.t // 3600 for p in posts)
    print("per hour: " + " ".join(f"{h:02d}:{hours[h]}" for h in range(24)), file=err)
    # near-duplicate check (retweets and the copy-paste campaign are intended)
    norm = Counter(Day.norm(p.text) for p in posts
                   if p.kind not in ("retweet", "copypaste", "empty", "bot", "brand"))
    dups = {k: v for k, v in norm.items() if v > 1}
    print(f"near-identical texts (excluding retweets, copy-paste, bots, brand): {sum(dups.values())} lines in {len(dups)} groups",
          file=err)
    for k, v in sorted(dups.items(), key=lambda kv: -kv[1]):
        print(f"  {v}x {k[:90]}", file=err)


def main() -> None:
    day = Day()
    day.build()
    records = day.finish()
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    validate_and_report(lines, day)
    sys.stdout.buffer.write(("\n".join(lines) + "\n").encode("utf-8"))


if __name__ == "__main__":
    main()
