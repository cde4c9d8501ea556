"""Generated part of training corpus A: hand-written phrase pools combined with voice transforms.

Each scenario family builds a narrative from parts, and every label comes from a part:
the time part decides the grade (happening now -> 1, just happened / suspect left -> 2,
historic -> 3), the "who" part adds elderly / disability / child flags and their referrals, the
weapon part adds `weapon`, and so on.  Voice transforms (text-speak, typos, masked swearing,
casing, minimisers, a few words of another language) never change a label.
Deterministic: the same seed gives the same lines.
"""
import random
import re

from a_build import finish

SEED = 20261201

# ----------------------------------------------------------------------------- shared pools
STREETS = ["Albert Road", "Brook Street", "Canal Side", "Dale View", "Elm Grove", "Fern Close",
           "Granby Street", "Hawthorn Avenue", "Inkerman Terrace", "Juniper Way", "Kestrel Drive",
           "Lime Street", "Marsh Lane", "Netherfield Road", "Orchard Court", "Priory Walk",
           "Queens Parade", "Ravensworth Road", "Sycamore Rise", "Tanner Row", "Underhill Lane",
           "Victoria Terrace", "Wharf Road", "Yew Tree Close"]
PLACES = ["outside the Spar", "by the bus station", "in the park by the swings", "outside the Crown and Anchor", "in the Aldi car park", "on the high street by the bank", "outside the chippy",
          "at the train station", "by the canal bridge", "outside the takeaway on {street}",
          "in the precinct", "at the back of the leisure centre", "outside the Greggs",
          "on the corner of {street}", "in the McDonald's car park", "outside the nightclub"]
NOW_MIN = [2, 3, 5, 10]
RECENT_MIN = [20, 30, 40, 45]
HIST = ["in 2019", "last year", "a few weeks ago", "last month", "back in the summer",
        "about three weeks ago", "in 2021", "before Christmas", "last spring", "two months ago"]


def num():
    return random.randint(2, 98)


def street():
    return random.choice(STREETS)


def place():
    return random.choice(PLACES).format(street=street())


def addr():
    return "%d %s" % (num(), street())


class S:
    """One scenario: narrative parts plus labels."""

    def __init__(self, cat, grade, text, flags=(), refs=(), acc=None, route=None,
                 channels=("999",), voice="caller", answers=None):
        self.cat, self.grade, self.text = cat, grade, text
        self.flags, self.refs = set(flags), list(refs)
        self.acc = set(acc or [grade]) | {grade}
        self.route = route or {1: "deploy", 2: "deploy", 3: "appointment"}.get(grade)
        self.channels, self.voice, self.answers = channels, voice, answers or {}

    def add(self, flags=(), refs=()):
        self.flags |= set(flags)
        for r in refs:
            if r not in self.refs:
                self.refs.append(r)


# ----------------------------------------------------------------------------- families
ABUSERS = [("my husband", "he"), ("my boyfriend", "he"), ("my ex", "he"), ("my partner", "he"),
           ("my wife", "she"), ("my girlfriend", "she"), ("my son", "he"), ("my stepdad", "he"),
           ("my brother", "he"), ("my dad", "he"), ("my ex-husband", "he"), ("my fiancé", "he"),
           ("my daughter's dad", "he"), ("my partner", "she")]
DA_NOW = [("is hitting me", []), ("has got me by the throat", ["threat_to_life"]),
          ("is kicking the bedroom door in", []), ("is smashing the house up", []),
          ("is dragging me round by my hair", []), ("is saying he'll kill me", ["threat_to_life"]),
          ("has pinned me on the floor", []), ("is punching the walls and coming at me", []),
          ("is trying to strangle me", ["threat_to_life"]), ("won't let me leave and keeps hitting me", []),
          ("is throwing things at me", [])]
DA_WHERE = ["", " I'm locked in the bathroom", " I'm hiding in the bedroom",
            " I'm in the garden", " I'm in the car on the drive", " I've run to the neighbour's but {p} is outside"]
DA_PAST2 = [("hit me about {m} minutes ago and then went out", []),
            ("punched me in the face earlier and has gone to the pub", ["injury"]),
            ("threw me against the wall tonight and drove off", []),
            ("threatened to kill me before {p} left an hour ago", []),
            ("smashed my phone and pushed me down the stairs, {p}'s gone now", []),
            ("grabbed me by the neck this evening and stormed out", [])]
DA_FEAR = ["I'm scared {p}'ll come back", "{p} still has keys", "I don't know where {p} is",
           "{p} said {p}'ll be back later", "I'm shaking", ""]
DA_HIST = ["used to hit me", "strangled me", "hit me", "controlled all my money and threatened me",
           "pushed me down the stairs", "raped me", "broke my arm"]
DA_SAFE = ["I'm safe now", "I've moved away", "{p} doesn't know where I live", "I'm at my mum's",
           "we're not together any more", "I just want it on record"]
KIDS = ["the kids are here", "my baby's in the next room", "my little boy's watching",
        "my daughter's with me, she's 6", "the children are upstairs"]


def fam_domestic():
    who, p = random.choice(ABUSERS)
    t = random.random()
    if t < 0.5:
        act, fl = random.choice(DA_NOW)
        act = act.replace("he'll", p + "'ll")
        txt = "%s %s right now,%s" % (who, act, random.choice(DA_WHERE).format(p=p))
        s = S("domestic_abuse", 1, txt.rstrip(","), ["domestic_abuse", "in_progress", "suspect_present"] + fl,
              channels=("999", "999", "chat"), voice="frightened victim")
        if random.random() < 0.35:
            s.text += ", " + random.choice(KIDS)
            s.add(["child_at_risk"])
        if random.random() < 0.25:
            s.text += ", %s's got a %s" % (p, random.choice(["knife", "hammer", "kitchen knife", "bat"]))
            s.add(["weapon"])
        return s
    if t < 0.82:
        act, fl = random.choice(DA_PAST2)
        txt = "%s %s, %s" % (who, act.format(m=random.choice(RECENT_MIN), p=p),
                             random.choice(DA_FEAR).format(p=p))
        s = S("domestic_abuse", 2, txt.rstrip(", "), ["domestic_abuse"] + fl, acc=[1, 2],
              channels=("999", "101", "chat"), voice="victim, abuser gone")
        return s
    txt = "%s %s %s, %s" % (who, random.choice(DA_HIST), random.choice(HIST), random.choice(DA_SAFE).format(p=p))
    fl = ["domestic_abuse"] + (["sexual_offence"] if "raped" in txt else [])
    return S("domestic_abuse", 3, txt, fl, acc=[3], channels=("101", "online"), voice="victim, historic")


FIGHT_WHO = ["a group of lads", "two men", "about ten people", "some teenagers", "two women",
             "a load of football fans", "three blokes", "a gang of youths"]
FIGHT_ACT = ["are fighting", "are kicking a man on the floor", "are beating someone up",
             "are scrapping in the road", "are attacking a lad", "are laying into a man"]
WEAP = ["a bottle", "a bat", "a knife", "a machete", "a hammer", "a metal pole", "a brick", "a crowbar"]
SEVERE = ["he's not moving", "he's out cold", "there's blood all over the pavement",
          "he's not breathing properly", "his head's split open"]


def fam_violence():
    t = random.random()
    if t < 0.55:
        txt = "%s %s %s" % (random.choice(FIGHT_WHO), random.choice(FIGHT_ACT), place())
        s = S("violence", 1, txt, ["in_progress", "suspect_present"], channels=("999", "999", "chat"),
              voice="witness")
        if random.random() < 0.4:
            s.text += ", one of them's got " + random.choice(WEAP)
            s.add(["weapon"])
        if random.random() < 0.35:
            s.text += ", " + random.choice(SEVERE)
            s.add(["injury", "threat_to_life"], ["ambulance"])
        if random.random() < 0.3:
            s.text = "they're still going, " + s.text
        return s
    if t < 0.85:
        inj = random.choice(["my nose is bleeding", "I've got a cut over my eye", "my lip's split",
                             "my jaw really hurts", "I've got a black eye", ""])
        who = random.choice(["a man", "some lad", "a bloke I don't know", "two lads", "a woman"])
        txt = "%s punched me %s about %d minutes ago, they've gone off, %s" % (
            who, place(), random.choice(RECENT_MIN), inj)
        s = S("violence", 2, txt.rstrip(", "), ["injury"] if inj else [], acc=[1, 2] if not inj else [2],
              channels=("999", "101", "chat"), voice="victim, suspect gone")
        if inj:
            s.acc = {1, 2}
        return s
    txt = "I was assaulted %s %s, %s" % (place(), random.choice(HIST),
                                        random.choice(["I didn't report it then", "I know who it was",
                                                       "I want it recorded", "I've got photos of the bruises"]))
    return S("violence", 3, txt, [], channels=("101", "online"), voice="victim, historic")


ROOMS = ["downstairs", "in the kitchen", "in the back bedroom", "in the garage", "in the living room",
         "going through the drawers downstairs", "in the loft", "in my daughter's room"]
HIDE = ["I've locked myself in the bathroom", "I'm hiding upstairs", "I'm under the bed",
        "I'm in the wardrobe", "I'm on the landing", "I've shut the bedroom door", ""]
OLD = [("I'm %d and on my own" , "elderly"), ("I'm %d", "elderly"), ("I'm %d and use a frame", "elderly")]


def fam_burglary():
    t = random.random()
    if t < 0.55:
        txt = "there's %s %s right now, %s" % (random.choice(["someone", "a man", "two men", "people", "somebody"]),
                                             random.choice(ROOMS), random.choice(HIDE))
        s = S("burglary", 1, txt.rstrip(", "), ["in_progress", "suspect_present"],
              channels=("999", "999", "chat"), voice="householder hiding")
        if random.random() < 0.3:
            s.text += ", " + random.choice(OLD)[0] % random.randint(74, 96)
            s.add(["elderly"], ["adult_social_care"])
        elif random.random() < 0.25:
            s.text += ", my kids are in the house"
            s.add(["child_at_risk"])
        return s
    if t < 0.82:
        txt = "I've just got home and %s, %s, %s" % (
            random.choice(["the back door's been kicked in", "the window's smashed", "the front door's wide open",
                           "the patio door's been forced"]),
            random.choice(["my laptop and jewellery are gone", "the telly's gone", "they've taken the car keys",
                           "everything's been tipped out"]),
            random.choice(["I don't think anyone's still here", "whoever did it has gone", "it must have been in the last hour"]))
        return S("burglary", 2, txt, [], acc=[1, 2], channels=("999", "101"), voice="householder, just discovered")
    txt = "my %s was broken into %s, %s" % (random.choice(["house", "flat", "shed", "garage"]),
                                            random.choice(["while we were on holiday last week", "last month",
                                                           "a couple of weeks ago", "over the weekend while we were away"]),
                                            random.choice(["nobody's there now", "I've only just reported it",
                                                           "tools were taken", "I'd like someone to come and look"]))
    return S("burglary", 3, txt, [], acc=[3, 4], channels=("101", "online"), voice="householder, historic")


ITEMS = ["phone", "bag", "handbag", "wallet", "bike", "watch", "chain", "purse", "scooter"]


def fam_robbery():
    t = random.random()
    item = random.choice(ITEMS)
    who = random.choice(["a lad", "two lads", "a man", "some kids on bikes", "two men on a moped", "a group of teenagers"])
    if t < 0.55:
        w = random.random() < 0.45
        txt = "%s just took my %s off me %s%s and ran %s" % (
            who, item, place(), " with a knife" if w else "",
            random.choice(["towards the flats", "up the hill", "into the park", "down the alley", "towards town"]))
        s = S("robbery", 1, txt, ["weapon"] if w else [], acc=[1, 2] if not w else [1],
              channels=("999", "999", "chat"), voice="robbery victim, just now")
        if random.random() < 0.25:
            s.text += ", " + random.choice(["he punched me first", "I'm bleeding", "they hit me and I fell"])
            s.add(["injury"])
        return s
    if t < 0.85:
        txt = "%s robbed me of my %s about an hour ago %s, %s" % (
            who, item, place(), random.choice(["I'm home now", "I'm not hurt", "they've gone", "there's cameras there"]))
        return S("robbery", 2, txt, [], acc=[2], channels=("101", "999", "online"), voice="robbery victim, earlier")
    txt = "I was robbed of my %s %s %s, %s" % (item, place(), random.choice(HIST),
                                              random.choice(["I've just seen it for sale online", "I didn't report it",
                                                             "I know who did it now"]))
    return S("robbery", 3, txt, [], channels=("101", "online"), voice="robbery victim, historic")


HAZ = ["there's a canal at the end of the road", "the river's right by the park", "we're next to the main road",
       "there's a lake in the park", "it's getting dark", "there's a railway line behind the house",
       "the beach is really busy"]


def fam_missing():
    t = random.random()
    if t < 0.3:
        age = random.randint(2, 7)
        kid, pr = random.choice([("son", "he"), ("daughter", "she"), ("little boy", "he"), ("little girl", "she"),
                                 ("grandson", "he"), ("granddaughter", "she")])
        txt = "my %s's %s, %s's %d, %s" % (kid, random.choice(["gone", "not here", "disappeared", "wandered off", "vanished"]),
                                          pr, age, random.choice(HAZ))
        return S("missing_person", 1, txt, ["missing_person", "child_at_risk", "threat_to_life"],
                 channels=("999",), voice="frantic parent")
    if t < 0.5:
        age = random.randint(76, 94)
        txt = "%s is %d with %s and has %s, %s" % (
            random.choice(["my dad", "my mum", "my husband", "my wife", "the man next door", "my grandad", "my nan"]),
            age, random.choice(["dementia", "Alzheimer's", "bad memory problems, dementia", "vascular dementia"]),
            random.choice(["gone out in the night", "walked out of the house", "wandered off again", "left the care home"]),
            random.choice(["it's freezing and no coat", "it's minus three", "only in pyjamas and slippers",
                           "it's pouring down", "there's a river near", "it's been four hours"]))
        acc = [1, 2] if ("four hours" in txt or "pouring" in txt) else [1]
        return S("missing_person", 1, txt, ["missing_person", "elderly", "disability", "threat_to_life"],
                 ["adult_social_care"], acc=acc, channels=("999",), voice="family of person with dementia")
    if t < 0.8:
        age = random.randint(12, 17)
        txt = "my %s is %d and %s, %s" % (random.choice(["son", "daughter", "brother", "sister", "foster son"]), age,
                                         random.choice(["hasn't come home from school", "didn't come home tonight",
                                                        "went out at 6 and isn't answering", "isn't where they said they'd be"]),
                                         random.choice(["it's 11pm", "phone's off", "it's not like them",
                                                        "we've rung all their friends", "it's been 5 hours"]))
        return S("missing_person", 2, txt, ["missing_person", "child_at_risk"], acc=[1, 2] if age < 14 else [2],
                 channels=("999", "101", "chat"), voice="worried family")
    txt = "my %s hasn't been home since %s and isn't answering %s" % (
        random.choice(["husband", "flatmate", "brother", "wife", "mum", "boyfriend"]),
        random.choice(["yesterday", "Friday", "this morning", "Tuesday"]),
        random.choice(["her phone", "his phone", "anyone", "messages"]))
    return S("missing_person", 2, txt, ["missing_person"], acc=[2, 3], channels=("101", "999", "online"),
             voice="worried family")


def fam_suicide():
    t = random.random()
    who, pr = random.choice([("my girlfriend", "she"), ("my son", "he"), ("my flatmate", "they"), ("my mum", "she"),
                             ("my boyfriend", "he"), ("my friend", "they"), ("my husband", "he"), ("my sister", "she")])
    if t < 0.4:
        txt = "%s has %s and %s" % (who, random.choice(["taken all the tablets in the house", "taken a load of pills", "swallowed a whole packet of paracetamol",
                                                         "taken an overdose", "taken all the antidepressants with vodka"]),
                                    random.choice(["won't wake up", "is really drowsy and slurring", "is being sick and saying sorry",
                                                   "isn't responding", "is going grey"]))
        return S("suicide_self_harm", 1, txt, ["suicide_risk", "threat_to_life", "injury", "substance_misuse"], ["ambulance"],
                 channels=("999", "999", "chat"), voice="frightened family")
    if t < 0.65:
        txt = "%s %s %s" % (random.choice(["there's a man", "there's a woman", "a young lad's", "someone's", who + " is"]),
                            random.choice(["standing on the wrong side of the railings on", "sat on the edge of", "climbing over the barrier on"]),
                            random.choice(["the bridge over the river", "the motorway bridge", "the top of the multi storey",
                                           "the railway bridge", "the cliff path fence"]))
        return S("suicide_self_harm", 1, txt, ["suicide_risk", "threat_to_life"], ["ambulance"], channels=("999",),
                 voice="witness")
    be = {"he": "he's", "she": "she's", "they": "they're"}[pr]
    obj = {"he": "him", "she": "her", "they": "them"}[pr]
    txt = "%s %s, %s" % (who, random.choice(["keeps saying %s wants to end it" % pr if pr != "they" else "keeps saying they want to end it",
                                              "has texted me saying %s can't go on" % pr,
                                              "told me %s been thinking about killing %s" % (
                                                  {"he": "he's", "she": "she's", "they": "they've"}[pr],
                                                  {"he": "himself", "she": "herself", "they": "themselves"}[pr]),
                                              "posted that nobody would miss %s" % obj]),
                         random.choice(["%s at home" % be, "%s not done anything yet" % ("they've" if pr == "they" else pr + "'s"),
                                        "I'm with %s now" % obj, "%s at work but I'm worried" % be]))
    return S("suicide_self_harm", 2, txt, ["suicide_risk"], acc=[1, 2], channels=("999", "101", "chat"),
             voice="worried friend or family")


def fam_rtc():
    t = random.random()
    road = random.choice(["the A road by the garage", "the bypass", "the roundabout by Tesco", "the motorway near junction %d" % random.randint(2, 40),
                          street(), "the dual carriageway", "the country lane past the farm"])
    if t < 0.55:
        what = random.choice([("someone's trapped in the car", ["threat_to_life", "injury"], ["ambulance", "fire"]),
                              ("the driver's unconscious", ["threat_to_life", "injury"], ["ambulance"]),
                              ("a motorcyclist's lying in the road not moving", ["threat_to_life", "injury"], ["ambulance"]),
                              ("the cars are across both lanes and the road's blocked", [], ["highways"]),
                              ("a pedestrian's been hit and the driver's driven off", ["injury"], ["ambulance"]),
                              ("there's a woman bleeding from her head", ["injury"], ["ambulance"])])
        txt = "%s on %s, %s" % (random.choice(["bad crash", "two cars have collided", "a car's flipped", "a van's gone into a car"]),
                                road, what[0])
        return S("road_traffic", 1, txt, ["road_traffic_collision"] + what[1], what[2], channels=("999",),
                 voice="motorist witness")
    if t < 0.8:
        txt = "someone's gone into the back of me on %s, %s" % (road, random.choice(
            ["my neck's sore", "I've banged my head a bit", "my passenger's wrist hurts"]))
        return S("road_traffic", 2, txt, ["road_traffic_collision", "injury"], acc=[2], channels=("999", "101"),
                 voice="driver, minor injury")
    txt = "someone hit my car on %s %s and drove off, no one was hurt, just a dent" % (road, random.choice(
        ["last night", "yesterday", "while it was parked", "on Monday"]))
    return S("road_traffic", 4, txt, ["road_traffic_collision"], acc=[4], route="telephone_resolution",
             channels=("101", "online"), voice="driver, damage only")


def fam_drink():
    t = random.random()
    who, pr = random.choice([("my husband", "his"), ("a man", "his"), ("my ex", "his"), ("the bloke from next door", "his"),
                             ("a woman", "her"), ("my mate", "his"), ("my dad", "his"), ("my wife", "her")])
    car = random.choice(["a silver Golf", "a white van", "a black Audi", "a red Corsa", "a blue Fiesta", "a pickup"])
    if t < 0.7:
        txt = "%s is %s and has just driven off in %s %s" % (
            who, random.choice(["absolutely steaming", "drunk", "off %s face" % pr, "hammered", "totally wasted", "off %s head on coke" % pr]),
            car, random.choice(["towards the motorway", "up the high street", "from the pub car park", "from the party"]))
        s = S("drink_drive", 1, txt, ["substance_misuse", "in_progress"], channels=("999", "999", "chat"),
              voice="witness to drink driving")
        if random.random() < 0.3:
            s.text += ", " + random.choice(["the kids are in the back", "there's a child in the car", "there's a baby seat in the back with the baby in it"])
            s.add(["child_at_risk"])
        return s
    txt = "%s drove home drunk %s, %s" % (who, random.choice(["about half an hour ago", "just now, he's parked up",
                                                            "twenty minutes ago"]),
                                         random.choice(["%s inside now" % ("he's" if pr == "his" else "she's"), "the car's on the drive", "I've got the reg"]))
    return S("drink_drive", 2, txt, ["substance_misuse"], acc=[1, 2], channels=("101", "999"),
             voice="neighbour or family")


def fam_weapon():
    t = random.random()
    w = random.choice(["a knife", "a machete", "a gun", "an axe", "a big kitchen knife", "a baseball bat", "a crossbow", "a hammer"])
    who = random.choice(["a man", "a lad", "a guy in a balaclava", "a woman", "a teenager", "some bloke"])
    if t < 0.75:
        txt = "%s with %s %s %s" % (who, w, random.choice(["is waving it about", "is threatening people", "is chasing someone",
                                                           "is shouting they'll use it", "is walking up and down"]), place())
        s = S("weapons", 1, txt, ["weapon", "suspect_present"], channels=("999", "999", "chat"), voice="witness")
        if random.random() < 0.3:
            s.text += ", there's kids about"
            s.add(["child_at_risk"])
        return s
    txt = "%s showed me %s %s %s and then walked off, %s" % (
        who, w, place(), random.choice(["about an hour ago", "earlier this afternoon", "this morning"]),
        random.choice(["no one was hurt", "there's cameras there", "I know his name"]))
    return S("weapons", 2, txt, ["weapon"], acc=[2, 3], channels=("101", "999"), voice="witness, earlier")


def fam_coded():
    t = random.random()
    a = addr()
    if t < 0.5:
        txt = random.choice(["can I order a {s} pizza to {a} please", "hi yes I want a pizza delivered to {a}, as quick as you can",
                             "I'd like to order food, {a}, yes, no I can't say more", "can I get a {s} margherita, {a}, please hurry"])
        txt = txt.format(s=random.choice(["large", "medium", "12 inch"]), a=a)
        return S("silent_coded", 1, txt, [], channels=("999",), voice="coded caller")
    if t < 0.75:
        txt = "silent call, caller pressed 55, %s" % random.choice(["open line", "sounds of crying", "a man shouting",
                                                                     "footsteps and a door", "muffled voices", "a dog barking and a woman whispering"])
        fl = ["suspect_present"] if "man shouting" in txt else []
        return S("silent_coded", 1, txt, fl, channels=("999",), voice="silent caller")
    txt = "%s (%s)" % (random.choice(["no it's fine, wrong number", "sorry, my mistake, nothing's wrong", "it's ok, we're fine now",
                                      "I didn't mean to call"]),
                       random.choice(["man in background shouting get off the f***ing phone", "someone shouting I'll kill you",
                                      "male voice: hang up now", "woman crying, man shouting in background"]))
    return S("silent_coded", 1, txt, ["suspect_present"], channels=("999",), voice="caller denying, shouting behind")


def fam_hate():
    t = random.random()
    slur = random.choice([("racist abuse", "race"), ("homophobic abuse", "sexuality"), ("calling me a terrorist", "religion"),
                          ("transphobic abuse", "trans"), ("mocking my wheelchair and calling me names", "disability"),
                          ("telling me to go back to my own country", "race")])
    if t < 0.45:
        txt = "%s %s %s and %s, %s" % (random.choice(["a man is", "some lads are", "a group of women are", "a drunk man is"]),
                                       "shouting " + slur[0] if not slur[0].startswith(("calling", "telling", "mocking")) else slur[0],
                                       place(), random.choice(["spitting at me", "pushing me", "throwing things", "won't leave me alone"]),
                                       "they're still here")
        s = S("hate_crime", 1, txt, ["hate_crime", "in_progress", "suspect_present"], channels=("999", "chat"), voice="victim")
        if slur[1] == "disability":
            s.add(["disability"], ["adult_social_care"])
        return s
    if t < 0.8:
        txt = "someone %s %s %s and then went off, %s" % (
            random.choice(["shouted " + slur[0] + " at me" if not slur[0].startswith(("calling", "telling", "mocking")) else "was " + slur[0],
                           ]), place(), random.choice(["ten minutes ago", "about half an hour ago", "just now"]),
            random.choice(["I'm shaken", "there were witnesses", "I'm still nearby"]))
        s = S("hate_crime", 2, txt, ["hate_crime"], acc=[1, 2], channels=("999", "101", "chat"), voice="victim, just happened")
        if slur[1] == "disability":
            s.add(["disability"], ["adult_social_care"])
        return s
    txt = "a neighbour %s %s, %s" % ("was " + slur[0] if slur[0].startswith(("calling", "telling", "mocking")) else "shouted " + slur[0] + " at me",
                                     random.choice(HIST), random.choice(["I want it on record", "it's stopped now", "I have a video"]))
    s = S("hate_crime", 3, txt, ["hate_crime"], channels=("101", "online"), voice="victim, historic")
    if slur[1] == "disability":
        s.add(["disability"], ["adult_social_care"])
    return s


def fam_stalk():
    t = random.random()
    who = random.choice(["my ex", "a man from work", "a guy I went on one date with", "my ex-girlfriend", "a man I don't know"])
    da = who.startswith("my ex")
    if t < 0.5:
        txt = "%s who %s is %s right now" % (who, random.choice(["keeps following me", "won't stop messaging me", "I've blocked everywhere",
                                                                "has been watching my house for weeks"]),
                                             random.choice(["outside my front door", "sat in a car across the road", "at my work car park",
                                                            "walking behind me", "banging on my window"]))
        s = S("stalking_harassment", 1, txt, ["stalking_harassment", "in_progress", "suspect_present"] + (["domestic_abuse"] if da else []),
              channels=("999", "chat"), voice="frightened victim")
        return s
    if t < 0.8:
        txt = "%s has %s, %s" % (who, random.choice(["turned up at my house twice today", "been outside my work again this afternoon",
                                                     "sent me 50 messages since this morning saying I'm being watched"]),
                                 random.choice(["they've gone now", "I've got an order against them", "I'm frightened"]))
        return S("stalking_harassment", 2, txt, ["stalking_harassment"] + (["domestic_abuse"] if da else []), acc=[2, 3],
                 channels=("101", "999", "chat"), voice="victim")
    txt = "%s kept following me and messaging me %s, it's calmed down but I want it recorded" % (who, random.choice(HIST))
    return S("stalking_harassment", 3, txt, ["stalking_harassment"] + (["domestic_abuse"] if da else []),
             channels=("101", "online"), voice="victim, historic")


def fam_fire():
    who = random.choice([("there's a family inside", []), ("an old man lives there on his own", ["elderly"]),
                         ("I can hear kids screaming", ["child_at_risk"]), ("someone's at the upstairs window", []),
                         ("my mum's still inside", []), ("people are trapped on the top floor", [])])
    txt = "%s is on fire, %s" % (random.choice(["the house next door", "the flat below me", "the terrace on %s" % street(),
                                                "the bungalow across the road", "the block of flats on %s" % street()]), who[0])
    s = S("fire", 1, txt, ["threat_to_life"] + who[1], ["fire"], channels=("999",), voice="neighbour")
    if "elderly" in who[1]:
        s.add(refs=["adult_social_care"])
    return s


def fam_exploit():
    t = random.random()
    who, pr, po = random.choice([("my mum", "she", "her"), ("my dad", "he", "his"), ("my nan", "she", "her"),
                                 ("my grandad", "he", "his"), ("the old lady next door", "she", "her"), ("my uncle", "he", "his")])
    age = random.randint(75, 93)
    if t < 0.5:
        txt = "%s is %d and a man rang saying he's from the police, %s" % (
            who, age, random.choice(["a courier's coming to collect %s bank card in an hour" % po,
                                     "%s's about to go to the bank to take out cash for them" % pr,
                                     "they're sending someone round tonight for %s savings" % po,
                                     "he's told %s to hand cash to a driver at 4" % ("him" if pr == "he" else "her")]))
        return S("exploitation", 2, txt, ["exploitation", "elderly"], ["adult_social_care"], acc=[1, 2],
                 channels=("999", "101"), voice="family member")
    txt = "%s has a learning disability and %s, %s" % (
        random.choice(["my brother", "my neighbour", "my son", "my cousin"]),
        random.choice(["some lads have taken over his flat to deal from", "men are using his flat and won't leave",
                       "people are staying at his and taking his money"]),
        random.choice(["they're there now", "he's too scared to go home", "it's been going on all week"]))
    return S("exploitation", 2, txt, ["exploitation", "disability"], ["adult_social_care"], acc=[1, 2],
             channels=("101", "999", "chat"), voice="family or neighbour")


def fam_child():
    t = random.random()
    age = random.randint(2, 9)
    if t < 0.35:
        txt = random.choice(["there's a little %s about %d %s, no adult anywhere" % (random.choice(["boy", "girl"]), age,
                             random.choice(["walking along the main road", "on the window ledge of a first floor flat",
                                            "at the edge of the river", "playing on the railway embankment"])),
                             "%s is %s and the kids are screaming, %s" % (random.choice(["the dad next door", "my mum's boyfriend", "a man in the park"]),
                                                                        random.choice(["hitting a little boy with a belt", "shaking a toddler", "punching his son"]),
                                                                        random.choice(["it's happening now", "he's still doing it", "I can hear it through the wall"]))])
        fl = ["child_at_risk", "threat_to_life"] if "no adult" in txt else ["child_at_risk", "in_progress", "suspect_present"]
        return S("child_safety", 1, txt, fl, channels=("999",), voice="worried adult")
    if t < 0.85:
        txt = random.choice([
            "the kids next door, %d and %d, have been left on their own %s" % (age, age + 2, random.choice(["since this morning", "all night", "for two days", "again, no food in"])),
            "a %d year old has come into %s on their own crying, says mum won't wake up at home" % (age, random.choice(["my shop", "the library", "the café"])),
            (lambda k: "my %d year old %s has told me %s" % (random.randint(8, 15), k[0], random.choice(k[1])))(random.choice([
                (random.choice(["daughter", "niece"]), ["her stepdad hits her when mum's at work", "an older man keeps messaging asking to meet up tonight",
                                                        "a neighbour touched her, it was this afternoon"]),
                (random.choice(["son", "nephew"]), ["his dad locks him in the shed", "an older man keeps messaging asking to meet up tonight",
                                                    "his mum's boyfriend hit him with a belt this morning"])])),
            "there's a child about %d sat outside the pub on %s, the parents are inside drinking, it's %s" % (age, street(), random.choice(["10pm", "getting dark", "raining"])),
        ])
        fl = ["child_at_risk"]
        if "touched her" in txt:
            fl.append("sexual_offence")
        if "drinking" in txt:
            fl.append("substance_misuse")
        if "messaging" in txt:
            fl.append("exploitation")
        if "won't wake up" in txt:
            return S("child_safety", 1, txt, fl + ["threat_to_life"], ["ambulance"], acc=[1], channels=("999",), voice="member of public")
        return S("child_safety", 2, txt, fl, acc=[1, 2], channels=("999", "101", "chat"), voice="concerned adult")
    txt = "my %s told me %s that %s" % (random.choice(["daughter", "son"]), random.choice(HIST),
                                       random.choice(["her dad slapped her at a contact visit", "a teacher grabbed him and left marks",
                                                      "his uncle hit him at a family party"]))
    return S("child_safety", 3, txt, ["child_at_risk"], acc=[3], channels=("101", "online"), voice="parent, historic")


def fam_sexual():
    t = random.random()
    who = random.choice(["a man", "a lad", "a bloke in a grey hoodie", "a taxi driver", "an older man", "a man on a bike"])
    act = random.choice(["grabbed my bum", "put his hand up my skirt", "exposed himself to me", "groped me",
                         "tried to pull me into the bushes", "rubbed himself against me", "forced a kiss on me and grabbed my chest"])
    where = random.choice(["on the bus", "on the tram", "in the park", "on the towpath", "outside the club", "at the bus stop", "on the train"])
    if t < 0.35:
        txt = "%s just %s %s and %s" % (who, act, where, random.choice(["he's still here", "he's standing right behind me", "he's sat a few seats away",
                                                                          "he's still hanging around"]))
        return S("sexual_offence", 1, txt, ["sexual_offence", "suspect_present"], channels=("999", "chat"), voice="victim, suspect present")
    if t < 0.8:
        txt = "%s %s %s %s, %s" % (who, act, where, random.choice(["about twenty minutes ago", "an hour ago", "earlier tonight", "this morning"]),
                                   random.choice((["he got off at the next stop"] if where in ("on the bus", "on the tram", "on the train") else ["he walked off"])
                                                 + ["he ran off", "I'm home now", "I've got a description"]))
        return S("sexual_offence", 2, txt, ["sexual_offence"], acc=[2], channels=("999", "101", "online", "chat"), voice="victim, recent")
    txt = "%s %s %s %s, I never reported it" % (who, act, where, random.choice(HIST))
    return S("sexual_offence", 3, txt, ["sexual_offence"], channels=("101", "online"), voice="victim, historic")


def fam_welfare():
    who, age = random.choice([("the old lady next door", random.randint(78, 95)), ("my grandad", random.randint(80, 96)),
                              ("my mum", random.randint(72, 90)), ("the old man at number %d" % num(), random.randint(75, 94))])
    t = random.random()
    if t < 0.4:
        txt = "%s, %s, %s" % (who, "%d" % age, random.choice(["is lying on the kitchen floor and not answering, I can see through the window",
                                                              "is calling help faintly from inside and the door's locked",
                                                              "has been on the floor all night and is freezing cold"]))
        return S("welfare_medical", 1, txt, ["threat_to_life", "elderly"], ["ambulance", "adult_social_care"], channels=("999",),
                 voice="neighbour or family")
    txt = "%s is %d and %s" % (who, age, random.choice(["hasn't been seen for three days, milk still on the step",
                                                       "isn't answering the phone since yesterday and the curtains are shut",
                                                       "has had the lights on all night and won't answer the door"]))
    return S("welfare_medical", 2, txt, ["elderly"], ["adult_social_care"], acc=[1, 2], channels=("999", "101"), voice="neighbour or family")


def fam_answers():
    """Vague narratives where the handler's answers decide the grade."""
    t = random.random()
    pl = place()
    if t < 0.4:
        txt = random.choice(["there's some trouble %s", "something's going on %s", "a couple of lads are arguing %s",
                             "there's a man acting strange %s"]) % pl
        return S("weapons", 1, txt, ["weapon", "in_progress", "suspect_present"], channels=("999",), voice="vague caller",
                 answers={"weapon": True, "in_progress": True, "suspect_present": True})
    if t < 0.7:
        txt = "a man had a knife %s %s, %s" % (pl, random.choice(["earlier", "this afternoon", "a few hours ago"]),
                                               random.choice(["he's gone now", "he went off on a bike", "nobody got hurt"]))
        return S("weapons", 3, txt, [], acc=[2, 3], channels=("999", "101"), voice="witness, suspect gone",
                 answers={"weapon": False, "in_progress": False, "suspect_present": False, "injury": False})
    who, p = random.choice(ABUSERS)
    txt = "%s and me are %s" % (who, random.choice(["having a row", "arguing again", "not getting on tonight", "falling out"]))
    return S("domestic_abuse", 1, txt, ["domestic_abuse", "in_progress", "suspect_present", "threat_to_life"], channels=("999",),
             voice="caller playing it down", answers={"in_progress": True, "suspect_present": True, "threat_to_life": True})


FAMILIES = [(fam_domestic, 80), (fam_violence, 60), (fam_burglary, 50), (fam_robbery, 40), (fam_missing, 50),
            (fam_suicide, 40), (fam_rtc, 35), (fam_drink, 25), (fam_weapon, 35), (fam_coded, 20), (fam_hate, 25),
            (fam_stalk, 25), (fam_fire, 12), (fam_exploit, 20),
            (fam_child, 45), (fam_sexual, 40), (fam_welfare, 25), (fam_answers, 30)]

# ----------------------------------------------------------------------------- voices
TYPOS = {"knife": ["knfie", "knif", "nife"], "stabbed": ["stabbbed", "stabed"], "ambulance": ["ambulence", "ambulanse"],
         "breathing": ["breething", "breatheing"], "please": ["pls", "plz", "pleease"], "someone": ["some one", "sum1"],
         "unconscious": ["unconcious"], "tablets": ["tablits"], "bleeding": ["bleding"], "their": ["there"], "really": ["rly", "realy"], "police": ["polise"], "minutes": ["mins"]}
TEXT = [("right now", "rn"), ("someone", "sum1"), ("people", "ppl"), ("please", "pls"), ("because", "cos"),
        ("with", "wiv"), ("going to", "gonna"), ("you", "u"), (" are ", " r "), ("trying to", "tryna"), ("I'm", "im"),
        ("don't", "dont"), ("he's", "hes"), ("she's", "shes"), ("they're", "theyre"), ("about", "bout"), ("just", "jus")]
SWEAR = ["f***ing", "bl**dy", "f*cking"]
PREFIX_URGENT = ["please please hurry, ", "oh my god, ", "help, ", "quick, ", "hello police? ", "you need to come, ", "sorry sorry, "]
PREFIX_POLITE = ["hello, sorry to bother you, ", "I'm sorry to ring, only ", "hello dear, ", "good evening, I'm not sure if this is right but "]
MINIMISE = ["it's probably nothing but ", "I don't want to waste your time but ", "sorry if this is silly but ", "might be nothing but "]
SUFFIX = [" please hurry", " pls come", " please come quick", " hurry up", " I don't know what to do", " please", ""]
FOREIGN = [("proszę, ", " szybko"), ("por favor, ", ""), ("jaldi, ", " please"), ("ajutor, ", ""), ("bitte, ", " schnell")]


def voice(s, text, channel):
    r = random.random()
    if channel == "chat":
        out = text
        if random.random() < 0.7:
            for a, b in TEXT:
                if a.strip() in out and random.random() < 0.6:
                    out = re.sub(r"\b%s\b" % re.escape(a.strip()), b.strip(), out)
        out = out.lower().replace(",", "" if random.random() < .5 else ",")
        if random.random() < .3:
            out += random.choice([" pls", " help", "!!", " asap", " hurry"])
        return out, "chat, text-speak"
    out = text
    v = None
    if r < 0.18:
        for a, bs in TYPOS.items():
            if a in out and random.random() < 0.7:
                out = out.replace(a, random.choice(bs), 1)
        v = "misspelt"
    elif r < 0.3 and s.grade <= 2:
        words = out.split(" ")
        spots = [i + 1 for i, w in enumerate(words[:-1]) if w.lower() in ("a", "the", "my", "his", "this")]
        if spots:
            words.insert(random.choice(spots), random.choice(SWEAR))
        else:
            words.append(random.choice(["for f***'s sake", "f***ing hell"]))
        out = " ".join(words)
        v = "angry, swearing masked"
    elif r < 0.45 and s.grade == 1:
        out = random.choice(PREFIX_URGENT) + out + random.choice(SUFFIX)
        v = "panicked"
    elif r < 0.55:
        out = random.choice(PREFIX_POLITE) + out
        v = "polite"
    elif r < 0.63 and s.grade <= 2:
        out = random.choice(MINIMISE) + out
        v = "minimiser"
    elif r < 0.7:
        out = out.replace(",", "").replace("'", "")
        v = "no punctuation"
    elif r < 0.76 and s.grade == 1:
        f = random.choice(FOREIGN)
        out = f[0] + out + f[1]
        v = "non-native speaker"
    elif r < 0.8:
        out = out.upper()
        v = "shouting"
    if out and out[0].islower() and random.random() < 0.5:
        out = out[0].upper() + out[1:]
    return out, (s.voice + (", " + v if v else ""))


def generate(n=None):
    random.seed(SEED)
    out, seen = [], set()
    for fam, count in FAMILIES:
        made, tries = 0, 0
        while made < count and tries < count * 20:
            tries += 1
            s = fam()
            ch = random.choice(s.channels)
            if s.cat == "silent_coded":
                text, v = s.text, s.voice
            else:
                text, v = voice(s, s.text, ch)
            text = " ".join(text.split())
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            rec = {"id": None, "channel": ch, "narrative": text, "answers": dict(s.answers), "grade": s.grade,
                   "acceptable_grades": sorted(s.acc), "route": s.route, "flags": sorted(s.flags),
                   "referrals": list(s.refs), "category": s.cat, "voice": v}
            out.append(finish(rec))
            made += 1
    return out
