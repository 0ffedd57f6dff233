"""Small hand-written sentiment word lists (general vocabulary of customer posts about IT
services), embedded into each shipped model by :func:`webcare.lab.training.sentiment.train_sentiment`.

Entries are lowercase words, two-word phrases (``"werkt niet"``) or stems ending in ``*``
(prefix match, for Finnish and Dutch inflection). They are general vocabulary, not taken from
any evaluation row. A word inside a negation scope ("not great") counts with flipped polarity;
phrases are matched as written.
"""

from __future__ import annotations

EMOJI_POS = "🙏 👍 😊 😀 😃 😄 😁 🥰 😍 ❤ 💯 🎉 👏 🙌 ✅ 🤩 ☺ 💪 🥳 ♥ 💙 💚 🚀 ✨ 👌 🤗 💖 🥹"
EMOJI_NEG = "😤 😡 🤬 😠 🙄 😭 😢 😞 😩 😫 👎 🤡 😒 🤦 ❌ 😑 😖 😣 💩 😔 😟 🫠 🥲 😓 😰 😥 😬 💔"

WORDS = {
    "en": {
        "neg": """down outage outages broken crash crashed crashes crashing buggy error errors
            fail failed fails failing failure slow sluggish laggy unusable useless unacceptable
            ridiculous joke terrible awful worst horrible frustrating frustrated annoying annoyed
            disappointed disappointing overcharged hacked scam stuck frozen freezes dead
            disconnected disconnects unreachable unresponsive nightmare pathetic rubbish garbage
            lost refund furious angry fed-up shambles disgrace incompetent ripoff
            frustrat* disappoint* infuriat* unreliab*""",
        "neg_phrases": ["not working", "doesn't work", "does not work", "won't load",
                        "still waiting", "no signal", "no internet", "no service", "keeps dropping",
                        "keeps crashing", "still down", "down again", "fed up", "cut out",
                        "cutting out", "rip off", "charged twice", "no response", "not loading"],
        "pos": """thanks thank thx great awesome excellent amazing love loving brilliant
            fantastic perfect helpful smooth seamless reliable kudos impressed appreciate
            appreciated superb wonderful lovely legend legends grateful happy pleased delighted
            solid quick speedy painless""",
        "pos_phrases": ["works again", "working again", "back up", "well done", "nice one",
                        "good job", "great job", "shout out", "top notch", "thank you"],
    },
    "nl": {
        "neg": """storing storingen kapot traag trage langzaam eruit plat vastgelopen crasht
            gecrasht foutmelding probleem problemen slecht slechte belachelijk schandalig
            waardeloos bagger irritant frustrerend teleurgesteld teleurstellend boos
            onbereikbaar gehackt oplichting vertraging hapert haperen verbroken ellende
            drama klote kut wanprestatie onacceptabel onbruikbaar zielig triest jammer
            storing* vastgelop* haper* frustr* teleurg* belachel* schandal* waardelo* irrit*""",
        "neg_phrases": ["werkt niet", "doet niks", "doet het niet", "lukt niet", "ligt eruit",
                        "ligt plat", "weer eens", "nog steeds", "geen internet",
                        "geen verbinding", "geen bereik", "valt weg", "te laat", "gaat mis",
                        "niet bereikbaar", "geen reactie", "valt uit", "doet raar"],
        "pos": """bedankt dank dankjewel dankje top super geweldig fijn prima perfect
            handig blij tevreden complimenten fantastisch uitstekend netjes vriendelijk
            behulpzaam hulde topper toppers heerlijk chapeau klasse knap
            bedank* geweldi* fantast* complimen*""",
        "pos_phrases": ["werkt weer", "doet het weer", "goed geregeld", "dank je", "dank u",
                        "snel geholpen", "goed geholpen", "werkt prima", "werkt perfect"],
    },
    "fi": {
        "neg": """hidas hitaasti vika häiriö katkos virhe ongelma surkea huono kamala
            järkyttävä ärsyttää raivostuttaa pettymys pettynyt nurin alhaalla jumissa
            kaatunut kaatui kaatuu kaatunu rikki paska perseestä turhauttavaa mahdoton
            hitaa* hitai* kaatu* jumi* vika* viano* häiriö* katko* katke* virhe* ongelm*
            surke* huono* kamal* järkyt* ärsyt* raivo* petty* turhaut* kökkö*""",
        "neg_phrases": ["ei toimi", "ei aukea", "ei aukee", "ei onnistu",
                        "ei näy", "ei pääse", "ei vieläkään", "ei mitään", "ei yhteyttä",
                        "ei toimineet", "ei lataudu", "ei vastaa", "ei kuulu"],
        "pos": """kiitos kiitti kiitoksia kiva hieno mahtava loistava erinomainen huippu
            nopea nopeasti ihana tyytyväinen helppo sujuvasti pelasti hyvä hyvää hyvin hyviä
            parempi paras
            kiito* kiitt* kiva* hieno* mahtav* loista* erinomai* huippu* ihana* tyytyv* kehu*""",
        "pos_phrases": ["toimii taas", "toimii hyvin", "hyvää palvelua", "iso kiitos"],
    },
}


def build_lexicon(lang: str) -> dict:
    """The ``{"words": {term: ±1}, "stems": {prefix: ±1}}`` lexicon stored in a model file."""
    spec = WORDS.get(lang, WORDS["en"])
    words: dict[str, int] = {}
    stems: dict[str, int] = {}
    for key, value in (("neg", -1), ("pos", 1)):
        for term in spec[key].split() + spec[key + "_phrases"]:
            if term.endswith("*"):
                stems[term[:-1]] = value
            else:
                words[term] = value
    for emoji in EMOJI_POS.split():
        words[emoji] = 1
    for emoji in EMOJI_NEG.split():
        words[emoji] = -1
    return {"words": words, "stems": stems}
