"""Generated half of corpus part B: hand-written phrase pools combined by templates, then
passed through voice transforms (lowercase, no punctuation, typos, text-speak, masked swearing,
shouting). Every label follows from the template and the slots chosen: a slot that evidences a
flag (an age, a weapon, a threat to kill) carries that flag; the transforms never change meaning.

Called by b_build.py: generate(make) -> list of records. Deterministic (fixed seed).
"""
import random
import re

SEED = 20261201

# --------------------------------------------------------------------------- voice transforms
TYPOS = {
    "neighbour": ["nieghbour", "neighbor", "nabour"], "neighbours": ["nieghbours", "neighbors"],
    "because": ["becuase", "cos", "coz"], "stolen": ["stollen", "stole"],
    "definitely": ["definately", "defo"], "someone": ["some one", "sum1"],
    "garage": ["garrage"], "broken": ["broke", "brokin"], "window": ["windo", "widow"],
    "council": ["counsil", "councel"], "bicycle": ["bycicle"], "really": ["realy", "rly"],
    "about": ["abt", "bout"], "tonight": ["tonite", "2nite"], "night": ["nite"],
    "please": ["pls", "plz", "pleese"], "tyres": ["tires", "tyers"], "catalytic": ["catalitic", "cataltic"],
    "converter": ["convertor", "converta"], "reference": ["referance", "ref"], "received": ["recieved"],
    "anyone": ["any1", "anyone"], "weekend": ["wkend", "weeknd"], "message": ["msg", "mesage"],
    "parcel": ["parcle", "parsel"], "police": ["polis", "police"], "ambulance": ["ambulence"],
    "probably": ["probly", "prob"], "there's": ["theres"], "it's": ["its"], "don't": ["dont"],
    "can't": ["cant"], "I'm": ["im", "Im"], "he's": ["hes"], "she's": ["shes"], "they've": ["theyve"],
    "what": ["wat", "wot"], "with": ["wiv", "w"], "you": ["u", "ya"], "your": ["ur", "yr"],
}
TEXTSPEAK = [(r"\byou\b", "u"), (r"\bare\b", "r"), (r"\bsomeone\b", "sum1"), (r"\bplease\b", "pls"),
             (r"\bbefore\b", "b4"), (r"\btonight\b", "2nite"), (r"\btoday\b", "2day"),
             (r"\bbecause\b", "cos"), (r"\bthanks\b", "thx"), (r"\bwhat\b", "wat"),
             (r"\bknow\b", "kno"), (r"\bpeople\b", "ppl"), (r"\bright now\b", "rn"),
             (r"\bdon't know\b", "dunno"), (r"\bgoing to\b", "gonna"), (r"\bI am\b", "im")]
MASKED = ["f***ing", "bl**dy", "sodding", "f***ing", "bl**dy", "fricking"]
MASKED_TAILS = ["absolute p***-take", "s**t show this", "doing my f***ing head in", "p***ed off with it",
                "b*****ds", "taking the p***"]


def typo(text, rng, rate=0.35):
    def sub(m):
        w = m.group(0)
        opts = TYPOS.get(w) or TYPOS.get(w.lower())
        if opts and rng.random() < rate:
            return rng.choice(opts)
        return w
    return re.sub(r"[A-Za-z']+", sub, text)


def lower_nopunct(text, rng):
    t = text.lower()
    t = re.sub(r"[,.;:!?]", "", t)
    return re.sub(r"\s+", " ", t).strip()


def textspeak(text, rng):
    t = text
    for pat, rep in TEXTSPEAK:
        t = re.sub(pat, rep, t, flags=re.I)
    t = t.lower().replace(".", "").replace(",", "")
    return re.sub(r"\s+", " ", t).strip()


def masked(text, rng):
    t = re.sub(r"\b(my|the|his|her|their)\s+(car|van|bike|fence|window|shed|music|dog|landlord|phone)\b",
               lambda m: f"{m.group(1)} {rng.choice(MASKED)} {m.group(2)}", text, count=1)
    if t == text:
        t = text.rstrip(".") + ", " + rng.choice(MASKED_TAILS)
    return t


def shouty(text, rng):
    parts = text.split(", ")
    i = rng.randrange(len(parts))
    parts[i] = parts[i].upper()
    return ", ".join(parts).rstrip(".!? ") + rng.choice(["!!", "!!!", "!"])


def plain(text, rng):
    return text[0].upper() + text[1:] if text else text


VOICES = {
    "plain": (plain, None), "typos": (lambda t, r: typo(t, r), "misspellings"),
    "lower": (lower_nopunct, "no punctuation, lowercase"), "text": (textspeak, "text-speak"),
    "masked": (masked, "masked swearing"), "shouty": (shouty, "angry, caps"),
    "lowtypo": (lambda t, r: typo(lower_nopunct(t, r), r, 0.5), "lowercase, misspellings"),
}


def apply_voice(text, rng, channel, base_voice, allow=("plain", "typos", "lower", "text", "masked", "shouty", "lowtypo")):
    allowed = list(allow)
    if channel != "chat" and "text" in allowed:
        allowed.remove("text")
    if channel == "online":
        allowed = [v for v in allowed if v in ("plain", "typos")]
    weights = {"plain": 4, "typos": 2, "lower": 2, "text": 3, "masked": 1, "shouty": 1, "lowtypo": 2}
    v = rng.choices(allowed, [weights[a] for a in allowed])[0]
    fn, desc = VOICES[v]
    out = fn(text, rng)
    voice = base_voice if not desc else f"{base_voice}, {desc}"
    return out, voice


def pick(rng, pool):
    return rng.choice(pool)


def ref(rng):
    k = rng.random()
    if k < 0.45:
        return f"CR/{rng.randint(10000, 99999)}/{rng.choice(['25', '26'])}"
    if k < 0.85:
        return f"BL0{rng.randint(600000, 799999)}"
    return f"{rng.choice(['25', '26'])}-{rng.randint(100000, 199999)}"


OPEN = ["", "", "", "hi, ", "hiya, ", "hello, ", "yeah hi, ", "morning, ", "evening, ", "sorry to bother you, ",
        "hi there, ", "right, ", "um, ", "I don't know if this is the right number but "]
CLOSE_CRIME = ["", "", " I need a crime number for the insurance.", " Just want it logged.",
               " Is there anything you can do?", " I've got it on camera.", " Can someone ring me back?",
               " Not expecting miracles.", " Cheers.", " It's the second time this year."]


REPEAT = re.compile(r"\bagain\b|second time|third time", re.I)


def repeat_bump(text, lab):
    """A repeat victim of a non-urgent crime is scheduled (grade 3), as POLICY.md has it."""
    if REPEAT.search(text) and lab["grade"] == 4:
        lab = dict(lab, grade=3, acc=[3, 4], route="appointment")
    return lab

# --------------------------------------------------------------------------- templates
# Each template: (function rng -> (channel, narrative, base_voice, labels dict)).


def t_noise(rng):
    who, pl = pick(rng, [("the lad upstairs", False), ("the couple next door", True), ("the students at number 12", True),
                         ("the people in the flat below me", True), ("the people behind us", True),
                         ("the new neighbours", True), ("the family across the landing", True),
                         ("the bloke in the flat above", False), ("next door", True), ("the house on the corner", True),
                         ("the woman downstairs", False), ("the lads in the shared house opposite", True)])
    sg_pl = [("plays loud music", "play loud music"), ("has parties", "have parties"),
             ("has the bass thumping", "have the bass thumping"), ("shouts and slams doors", "shout and slam doors"),
             ("does DIY drilling", "do DIY drilling"), ("has the telly blaring", "have the telly blaring"),
             ("lets the dog bark nonstop", "let their dog bark nonstop"),
             ("has people round drinking in the garden", "have people round drinking in the garden"),
             ("plays computer games shouting into a headset", "play computer games shouting into a headset"),
             ("has a karaoke machine going", "have a karaoke machine going"),
             ("stomps about and bangs on the walls", "stomp about and bang on the walls")]
    what = pick(rng, sg_pl)[1 if pl else 0]
    when = pick(rng, ["every night", "most nights", "every weekend", "every night this week",
                      "since they moved in", "till the early hours", "again tonight", "for months now",
                      "at all hours", "three or four nights a week"])
    tail = pick(rng, ["", " I've asked them nicely.", " I'm on earlies.", " who do I complain to?",
                      " can someone have a word?", " I've kept a diary.", " the baby can't sleep.",
                      " I've knocked, they just laugh.", " nobody's hurt, it's just constant.",
                      " I've had enough.", " is that the council or you?"])
    flags = []
    if rng.random() < 0.12:
        tail = pick(rng, [" I'm eighty and I can't sleep.", " my nan lives with me and she's frail.",
                          " I'm 79 and it's wearing me down."]) + tail
        flags = ["elderly"]
    ch = rng.choice(["101", "101", "chat", "online", "chat"])
    text = f"{pick(rng, OPEN)}{who} {what} {when}.{tail}".strip()
    return ch, text, "neighbour complaining about noise", dict(grade=4, acc=[4], route="refer:council",
                                                               flags=flags, refs=[], cat="asb_noise")


def t_noise_threat(rng):
    who = pick(rng, ["the neighbour", "the bloke from upstairs", "the lad next door", "the man from number 12",
                     "him from the flat below", "the neighbour I complained about"])
    weapon = pick(rng, ["a hammer", "a knife", "a baseball bat", "a machete", "a metal bar", "a screwdriver"])
    threat, ttl = pick(rng, [("saying he'll kill me", True), ("saying he's going to do me in", True),
                             ("screaming he'll smash my face in", False), ("kicking the door and shouting", False),
                             ("trying to get in", False), ("saying I'm dead", True)])
    pre = pick(rng, ["I complained about the music and now ", "after I knocked about the noise ", "", "please "])
    text = f"{pre}{who} is at my door with {weapon} {threat}, he's still there"
    flags = ["weapon", "suspect_present", "in_progress"] + (["threat_to_life"] if ttl else [])
    return "999", text, "frightened neighbour", dict(grade=1, acc=[1], route="deploy", flags=flags, refs=[],
                                                    cat="asb_noise")


def t_theft(rng):
    item, place = pick(rng, [
        ("my bike", "from the shed"), ("my son's bike", "from outside the school"), ("my mountain bike", "from the garage"),
        ("the strimmer and the mower", "from the shed"), ("my parcel", "off the doorstep"), ("a parcel", "from outside my front door"),
        ("my phone", "out of my bag in the pub"), ("my phone", "off the table at a bar in town"),
        ("my purse", "from my handbag at the market"), ("my wallet", "out of my jacket at the gym"),
        ("my tools", "out of the van"), ("the planters", "from outside my house"), ("my e-bike", "from the bike rack at work"),
        ("my laptop", "from the library"), ("two bottles of vodka", "from the shop"), ("the charity tin", "off the counter"),
        ("my handbag", "off the back of my chair in a cafe"), ("the garden furniture", "from the back garden"),
        ("my headphones", "from the changing rooms"), ("my scooter", "from the front garden")])
    when = pick(rng, ["last night", "yesterday", "over the weekend", "on Tuesday", "last week", "some time overnight",
                      "on Saturday night", "while I was at work", "a few days ago", "this morning"])
    verb = pick(rng, ["someone's had", "someone's nicked", "somebody took", "some scrote has pinched", "someone stole",
                      "I've had", "they've taken"])
    mid = pick(rng, ["", " and they're long gone", ", no idea who", ", lock was cut", ", the thief's gone", ""])
    if verb == "I've had":
        body = f"I've had {item} stolen {place} {when}{mid}."
    else:
        body = f"{verb} {item} {place} {when}{mid}."
    text = f"{pick(rng, OPEN)}{body}{pick(rng, CLOSE_CRIME)}".strip()
    ch = rng.choice(["101", "101", "chat", "online"])
    return ch, text, "victim of theft", repeat_bump(text, dict(grade=4, acc=[3, 4], route="telephone_resolution",
                                                               flags=[], refs=[], cat="theft"))


def t_shoplift(rng):
    store = pick(rng, ["the Co-op on King Street", "our shop", "the store", "my newsagents", "the chemist",
                       "the garage shop", "the supermarket on Leek Road", "our off licence"])
    item = pick(rng, ["a load of meat", "razors and perfume", "bottles of spirits", "baby milk", "energy drinks",
                      "a basket of chocolate", "washing powder", "cigarettes off the counter"])
    gone = pick(rng, ["about an hour ago, she's long gone", "earlier today, he's gone", "this morning, they ran off",
                      "yesterday afternoon", "at lunchtime, we didn't stop him", "last night before closing"])
    kind = rng.random()
    if kind < 0.18:
        held = pick(rng, ["we've got him in the office now", "security are holding her at the door now",
                          "my staff have detained him and he's sat in the back", "we're holding the lad at the tills"])
        text = f"{pick(rng, OPEN)}somebody took {item} from {store} and {held}"
        ch = "999" if rng.random() < 0.5 else "101"
        return ch, text, "store staff", dict(
            grade=2, acc=[2], route="deploy", flags=["suspect_present"], refs=[], cat="theft")
    close = pick(rng, [c for c in CLOSE_CRIME if not REPEAT.search(c)])
    text = f"{pick(rng, OPEN)}someone walked out of {store} with {item} without paying, {gone}.{close}"
    return rng.choice(["101", "online", "chat"]), text.strip(), "shop staff", dict(
        grade=4, acc=[3, 4], route="telephone_resolution", flags=[], refs=[], cat="theft")


def t_vehicle(rng):
    what = pick(rng, ["someone's had my catalytic converter", "they've smashed my window and taken the sat nav",
                      "my van's been broken into and all my tools are gone", "someone's taken both my number plates",
                      "my car's been broken into and they've had the radio", "someone's drilled the fuel tank and had the diesel",
                      "they've had the wheels off my car, it's on bricks", "someone's tried to nick my car, the ignition's hanging out",
                      "my motorbike's gone from outside the flat", "someone's nicked the badges and the wing mirrors off my car",
                      "they've broken into the car and had my work laptop out of the boot",
                      "someone's had the cat off the Prius again"])
    when = pick(rng, ["overnight", "last night", "some time over the weekend", "while I was asleep", "on Sunday night",
                      "sometime between 11 and 7", "while it was parked outside the house"])
    text = f"{pick(rng, OPEN)}{what} {when}.{pick(rng, CLOSE_CRIME)}".strip()
    return rng.choice(["101", "101", "chat", "online"]), text, "vehicle owner", repeat_bump(text, dict(
        grade=4, acc=[4] if rng.random() < 0.7 else [3, 4], route="telephone_resolution", flags=[], refs=[],
        cat="vehicle_crime"))


def t_vehicle_now(rng):
    what = pick(rng, ["there's two lads under my car right now with an angle grinder",
                      "someone's in my car on the drive right now with a torch",
                      "there's a bloke trying all the car doors on our street, he's just got into one",
                      "there's lads on mopeds going round the car park trying door handles right now",
                      "someone's cutting the catalytic off my neighbour's car right now, I can hear it"])
    text = what + ", " + pick(rng, ["please hurry", "they're still here", "I'm watching from upstairs", "quick"])
    return "999", text, "witness, hushed", dict(grade=1 if rng.random() < 0.5 else 2, acc=[1, 2], route="deploy",
                                               flags=["in_progress", "suspect_present"], refs=[], cat="vehicle_crime")


def t_damage(rng):
    what = pick(rng, ["someone's keyed my car all down one side", "they've put a brick through my front window",
                      "someone's slashed all four of my tyres", "kids have sprayed graffiti all over the garage door",
                      "someone's kicked my fence panels in", "they've smashed the windows of the shop",
                      "someone's egged the house", "someone's thrown paint over my car",
                      "someone's set fire to our wheelie bin and it's melted", "they've snapped my wing mirrors off",
                      "someone's smashed up the greenhouse", "someone's tagged the shutters again",
                      "they've pulled the doorbell camera off the wall", "someone's ripped the fence down"])
    when = pick(rng, ["overnight", "last night", "while we were out", "on Friday night", "over the weekend",
                      "sometime after midnight", "on Thursday night"])
    tail = pick(rng, ["", " nobody was hurt.", " no one saw anything.", " I've got photos.", " it's the third time.",
                      " the fire brigade put it out." if "fire" in what else " I want it recorded."])
    text = f"{pick(rng, OPEN)}{what} {when}.{tail}".strip()
    return rng.choice(["101", "101", "chat", "online"]), text, "victim of damage", repeat_bump(text, dict(
        grade=4, acc=[4], route="telephone_resolution", flags=[], refs=[], cat="criminal_damage"))


def t_burglary(rng):
    back = pick(rng, ["we've come back from holiday", "I've just got in from work", "I got home from my mum's",
                      "we came down this morning", "we've been away for the weekend", "I got back from the hospital"])
    entry = pick(rng, ["the back door's been forced", "the kitchen window's smashed", "the front door's been kicked in",
                       "the patio door's been jemmied", "the side window's been pushed in"])
    items = pick(rng, ["the telly and the laptop are gone", "they've had my jewellery", "the kids' tablets are gone",
                       "they've taken cash and the car keys", "they've been through every drawer",
                       "my late husband's watch is gone"])
    now = pick(rng, ["nobody's here now", "whoever it was has gone", "they're long gone", "there's no one in the house",
                     "I've checked, no one's here"])
    if rng.random() < 0.12:
        now = pick(rng, ["I can hear someone still upstairs", "I think they're still in the back bedroom, I can hear them",
                         "there's someone still in the kitchen"])
        text = f"{back} and {entry}, {items}, {now}"
        return "999", text, "homeowner, frightened", dict(grade=1, acc=[1], route="deploy",
                                                          flags=["in_progress", "suspect_present"], refs=[], cat="burglary")
    text = f"{pick(rng, OPEN)}{back} and {entry}, {items}, {now}."
    return rng.choice(["101", "101", "chat", "online"]), text.strip(), "burglary victim", dict(
        grade=3, acc=[2, 3], route="appointment", flags=[], refs=[], cat="burglary")


def t_fraud(rng):
    how = pick(rng, ["I paid for a PS5 on Marketplace and the seller's blocked me",
                     "a man rang saying he was from the bank and I moved my savings to a 'safe account'",
                     "I bought concert tickets off Instagram and they never came",
                     "someone's cloned my card and spent hundreds online",
                     "I clicked a text about a parcel and put my card details in and now there's money gone",
                     "I paid a deposit on a puppy online and there's no puppy",
                     "I sent money to a man I met on a dating site, he said it was for his flight",
                     "I got a WhatsApp from 'my son' on a new number and sent him money",
                     "I invested in a crypto thing off an advert and can't get it back",
                     "I paid a landlord a deposit for a flat that wasn't his",
                     "someone's taken a loan out in my name",
                     "I bought a car online and paid by transfer and it never turned up"])
    amt = pick(rng, ["£150", "£400", "£900", "two grand", "£3,000", "about six hundred quid", "£12,000", "£80"])
    tail = pick(rng, ["", " The bank said report it.", " I feel so stupid.", " It's all gone.",
                      " I've got screenshots.", " The bank won't refund it.", " What do I do?"])
    text = f"{pick(rng, OPEN)}{how}, I've lost {amt}.{tail}".strip()
    return rng.choice(["101", "chat", "online", "online"]), text, "fraud victim", dict(
        grade=4, acc=[4], route="refer:report_fraud", flags=[], refs=[], cat="fraud")


def t_update(rng):
    crime = pick(rng, ["my burglary", "my stolen car", "the assault on my son", "my bike theft", "my stolen van",
                       "the harassment I reported", "the damage to my car", "my fraud report", "the break-in at the shop",
                       "the man who hit my car", "my stolen phone", "my daughter's case"])
    ask = pick(rng, ["any news?", "has anyone looked at the CCTV?", "nobody's rung me back", "is anyone dealing with it?",
                     "the officer said he'd ring me", "has he been charged?", "I've got more information",
                     "can I have the officer's email?", "I need an update for the insurance", "when will I hear something?"])
    r = ref(rng)
    form = rng.random()
    if form < 0.33:
        text = f"{pick(rng, OPEN)}it's about {crime}, the reference is {r}, {ask}"
    elif form < 0.66:
        text = f"{pick(rng, OPEN)}ringing to chase {crime}, {r}. {ask}"
    else:
        text = f"{r} - {crime}. {ask}"
    return rng.choice(["101", "chat", "online"]), text, "victim chasing a case", dict(
        grade=4, acc=[4], route="update_request", flags=[], refs=[], cat="update_request")


def t_highways(rng):
    hazard = pick(rng, ["the traffic lights are out", "there's a tree down half across the road", "there's a massive pothole",
                        "the street light's out", "there's gravel all over the road", "there's a manhole cover missing",
                        "there's broken glass all over the cycle lane", "there's oil spilt on the bend",
                        "the road sign's been knocked flat", "the drain's blocked and the road's flooding",
                        "there's a big branch in the gutter", "the crossing lights aren't working"])
    where = pick(rng, ["on Leek Road", "at the junction by the Co-op", "outside the school", "on the A53 by the garage",
                       "on Church Lane", "by the retail park roundabout", "on Victoria Street", "near the canal bridge"])
    tail = pick(rng, ["", " cars can get round it.", " someone's going to come off.", " it's been like it for days.",
                      " nobody's hurt.", " who do I tell?"])
    text = f"{pick(rng, OPEN)}{hazard} {where}.{tail}".strip()
    return rng.choice(["101", "101", "chat", "online"]), text, "road user", dict(
        grade=4, acc=[4], route="refer:highways", flags=[], refs=[], cat="highways")


def t_lost(rng):
    item = pick(rng, ["my wallet", "my phone", "my keys", "my purse", "my passport", "my bus pass", "my glasses",
                      "a ring", "my driving licence", "my work bag"])
    where = pick(rng, ["on the bus", "in town", "on a night out", "at the train station", "in a taxi", "at the football",
                       "somewhere between work and home", "in the park"])
    found = rng.random() < 0.35
    if found:
        fitem = pick(rng, ["a wallet", "a phone", "a set of keys", "a purse", "a passport", "a bank card", "a bag"])
        text = f"{pick(rng, OPEN)}I've found {fitem} {where}, " + pick(rng, ["what do I do?", "who do I hand it to?",
                                                                             "can I drop it at a station?"])
    else:
        ask = pick(rng, ["has it turned up anywhere?", "is there a lost property I can check?", "do I need a reference for it?",
                         "would it come to you if someone found it?", "who do I ask?", "can you log it as lost?"])
        text = f"{pick(rng, OPEN)}I've lost {item} {where}, I don't think it was stolen, {ask}"
    return rng.choice(["101", "chat", "online"]), text.strip(), "member of the public", dict(
        grade=4, acc=[4], route="advice", flags=[], refs=[], cat="lost_found")


def t_rtc(rng):
    how, where = pick(rng, [
        ("someone went into the back of me at the lights", pick(rng, ["on London Road", "by the school", "on Victoria Road"])),
        ("I clipped a parked car reversing", pick(rng, ["at Asda", "in the multi-storey", "outside my mum's"])),
        ("we scraped each other", pick(rng, ["in the car park at Asda", "in the multi-storey", "in the school car park"])),
        ("a van caught my wing mirror", pick(rng, ["on a narrow lane", "on London Road", "outside the shops"])),
        ("a car pulled out and we touched bumpers", pick(rng, ["on the roundabout", "at the retail park", "by the school"])),
        ("I bumped the car in front in traffic", pick(rng, ["on the A50", "on London Road", "on the ring road"]))])
    det = pick(rng, ["we've swapped details", "we've exchanged insurance", "I left a note with my number",
                     "we took photos and numbers"])
    hurt = pick(rng, ["nobody's hurt", "no one's injured", "we're both fine", "just a dent"])
    text = f"{pick(rng, OPEN)}{how} {where}, {det}, {hurt}, do I need to report it?"
    return rng.choice(["101", "chat", "online"]), text.strip(), "driver", dict(
        grade=4, acc=[4], route="advice", flags=["road_traffic_collision"], refs=[], cat="road_traffic")


def t_animals(rng):
    if rng.random() < 0.25:
        where = pick(rng, ["running round the estate", "in the park with no collar", "wandering up and down our street",
                           "sat outside the shop"])
        how = pick(rng, ["seems friendly", "no owner about", "it's been there hours"])
        text = f"{pick(rng, OPEN)}there's a stray dog {where}, {how}"
        return rng.choice(["101", "chat"]), text.strip(), "resident", dict(grade=4, acc=[4], route="refer:council",
                                                                          flags=[], refs=[], cat="animals")
    what = pick(rng, ["there's a dog left in a yard with no shelter", "there's an injured fox in my garden",
                      "the horse in the field on Cobb Lane looks starving", "there's a swan tangled in fishing line",
                      "my neighbour's dog is skin and bone", "someone's dumped a box of kittens by the bins",
                      "there's a cat that's been hit by a car on the verge, it's still alive",
                      "the rabbits next door have had no food for days", "there's a dog crying in the empty flat next door"])
    ask = pick(rng, ["who do I ring?", "it's been days", "can someone help it?", "I'm really worried about it"])
    text = f"{pick(rng, OPEN)}{what}, {ask}"
    return rng.choice(["101", "chat", "online"]), text.strip(), "animal welfare concern", dict(
        grade=4, acc=[4], route="refer:rspca", flags=[], refs=[], cat="animals")


def t_mh(rng):
    who, eld, g = pick(rng, [("my brother", False, "m"), ("my son", False, "m"), ("my daughter", False, "f"),
                             ("my mum", False, "f"), ("my husband", False, "m"), ("my flatmate", False, "m"),
                             ("my neighbour", False, "f"), ("my nan", True, "f"), ("my friend", False, "f"),
                             ("my dad, he's 78,", True, "m")])
    poss, obj = ("his", "him") if g == "m" else ("her", "her")
    sym = pick(rng, ["has stopped taking {p} meds and is talking nonsense", "thinks people are watching {o} through the TV",
                     "hasn't slept for days and is talking really fast", "keeps hearing voices",
                     "has been really low and crying all the time", "is convinced the neighbours are poisoning the water",
                     "has been having panic attacks all night", "is really paranoid and has covered the windows in foil"])
    sym = sym.format(p=poss, o=obj)
    pro = "he's" if g == "m" else "she's"
    safe = pick(rng, ["not violent", "not hurting anyone", "not said anything about harming " + ("himself" if g == "m" else "herself"),
                      "safe at home", "not a danger to anyone", "calm, just not " + ("himself" if g == "m" else "herself")])
    text = f"{pick(rng, OPEN)}{who} {sym}, {pro} {safe}, we just don't know who to call"
    if rng.random() < 0.15:
        risk = pick(rng, ["now {s} on the roof saying {s2} jump", "now {s} got a knife and saying {s2} end it",
                          "now {s} texted goodbye and taken all {p} tablets", "now {s} standing on the bridge railings"])
        risk = risk.format(s=pro, s2=("he'll" if g == "m" else "she'll"), p=poss)
        text = f"{who} {sym} and {risk}"
        flags = ["mental_health", "suicide_risk", "threat_to_life"] + (["weapon"] if "knife" in risk else []) \
            + (["substance_misuse"] if "tablets" in risk else []) + (["elderly"] if eld else [])
        return "999", text, "relative, panicking", dict(grade=1, acc=[1], route="deploy", flags=flags,
                                                      refs=["ambulance", "mental_health"], cat="suicide_self_harm")
    return rng.choice(["101", "101", "chat", "online"]), text.strip(), "worried relative", dict(
        grade=4, acc=[4], route="refer:mental_health", flags=["mental_health"] + (["elderly"] if eld else []),
        refs=[], cat="mental_health")


def t_medical(rng):
    if rng.random() < 0.4:
        q = pick(rng, ["is it OK to give my son calpol and ibuprofen together?", "where's the nearest walk-in centre?",
                       "I've run out of my inhaler and the chemist's shut, what do I do?",
                       "my daughter's got a rash but she's fine in herself, do I need to worry?",
                       "I've had a bad cough for two weeks, who do I see?", "I think I've sprained my ankle, do I go to A&E?",
                       "my baby's got a slight temperature, should I see someone?"])
        return rng.choice(["101", "chat"]), f"{pick(rng, OPEN)}{q}".strip(), "health question", dict(
            grade=4, acc=[4], route="refer:nhs111", flags=[], refs=[], cat="welfare_medical")
    who, eld = pick(rng, [("my husband", False), ("my dad", False), ("my nan", True), ("my neighbour, she's 90,", True),
                          ("a man outside the shop", False), ("my wife", False), ("my mate", False), ("my grandad", True)])
    sym = pick(rng, ["has chest pains going down the arm", "is diabetic and gone all shaky and confused", "has fallen and can't get up",
                     "has collapsed on the floor", "is having an asthma attack", "has had a seizure",
                     "has gone grey and sweaty", "can't get their breath"])
    text = f"{pick(rng, OPEN)}{who} {sym}, {pick(rng, ['please send someone', 'what do I do', 'I need an ambulance', 'quick'])}"
    return rng.choice(["999", "999", "101"]), text.strip(), "relative or bystander", dict(
        grade=4, acc=[4], route="refer:ambulance", flags=(["elderly"] if eld else []), refs=[], cat="welfare_medical")


def t_civil(rng):
    what = pick(rng, ["my landlord's hanging on to my deposit", "my ex is stopping me having the kids on my weekend, we've nothing in writing",
                      "my builder's taken the money and not finished the job", "my neighbour's fence is on my land",
                      "my boss hasn't paid my wages", "the garage won't refund me for a faulty car",
                      "my ex won't give my stuff back", "my landlord keeps letting himself in",
                      "a mate owes me money and won't pay", "my neighbour's tree is over my drive",
                      "bailiffs say they're coming round", "my ex brought the kids back late again"])
    tail = pick(rng, ["nobody's been threatened", "it's not violent or anything", "there's no harm done",
                      "I just want to know my rights", "is it a police matter?", "can you make them?"])
    text = f"{pick(rng, OPEN)}{what}, {tail}"
    return rng.choice(["101", "chat", "online"]), text.strip(), "caller with a civil dispute", dict(
        grade=4, acc=[4], route="advice", flags=[], refs=[], cat="civil_advice")


def t_stalk_later(rng):
    who, da = pick(rng, [("my ex", True), ("my ex-husband", True), ("a man from work", False), ("a lad I went on one date with", False),
                         ("someone from my old school", False), ("my ex-girlfriend", True), ("a customer", False),
                         ("a neighbour", False)])
    beh = pick(rng, ["keeps messaging me from new numbers", "keeps turning up outside my work",
                     "has been following me home", "keeps ringing me twenty times a day",
                     "keeps leaving notes on my car", "has found my new address and sends letters",
                     "waits outside my flat", "keeps making new accounts to message me"])
    since = pick(rng, ["for about a month", "since the summer", "for weeks now", "since I blocked them",
                       "since October", "and it happened again yesterday"])
    text = f"{pick(rng, OPEN)}{who} {beh} {since}, I've asked them to stop."
    flags = ["stalking_harassment"] + (["domestic_abuse"] if da else [])
    return rng.choice(["101", "chat", "online"]), text.strip(), "victim of harassment", dict(
        grade=3, acc=[3, 4], route="appointment", flags=flags, refs=[], cat="stalking_harassment")


def t_hate_later(rng):
    what = pick(rng, ["called me a racist name and told me to go home", "shouted homophobic abuse at me and my partner",
                      "mocked my brother for being disabled and pushed him", "pulled at my headscarf and called me a terrorist",
                      "wrote racist words on my car", "shouted abuse about me being trans",
                      "spat at me and said something about my religion"])
    who = pick(rng, ["a man on the bus", "some lads outside the pub", "a neighbour", "a group of teenagers", "a woman in the shop"])
    when = pick(rng, ["last week", "on Saturday", "a few days ago", "on Monday", "the other night"])
    text = f"{pick(rng, OPEN)}{who} {what} {when}, I didn't report it at the time."
    flags = ["hate_crime"] + (["disability"] if "disabled" in what else [])
    return rng.choice(["101", "chat", "online"]), text.strip(), "victim of hate crime", dict(
        grade=3, acc=[3, 4], route="appointment", flags=flags, refs=[], cat="hate_crime")


def t_fire(rng):
    what = pick(rng, ["my neighbour's bonfire smoke is coming in the house", "there's a small grass fire on the common, nobody near it",
                      "I can smell burning but can't see anything", "there's a car burning in a field, nobody in it",
                      "the smoke alarm in the empty unit next door has been going for an hour",
                      "someone's burning rubbish in their garden and the smoke's awful"])
    text = f"{pick(rng, OPEN)}{what}, no one's in danger."
    return rng.choice(["101", "chat"]), text.strip(), "resident", dict(grade=4, acc=[4], route="refer:fire",
                                                                       flags=[], refs=[], cat="fire")



def t_da_later(rng):
    who, partner = pick(rng, [("my ex", True), ("my partner", True), ("my husband", True), ("my boyfriend", True),
                              ("my ex-wife", True), ("my girlfriend", True), ("my son", False), ("my stepdad", False),
                              ("my brother", False)])
    what = pick(rng, ["pushed me into the wall", "slapped me", "threatened to hurt me", "took my bank card and won't give it back",
                      "checks my phone and won't let me see my friends", "takes my wages off me",
                      "smashed my phone so I couldn't ring anyone", "kept me in the house and wouldn't let me leave",
                      "grabbed me by the arm and shook me", "called me every name under the sun and threw a plate at me"])
    when = pick(rng, ["last week", "a couple of weeks ago", "at the weekend", "last month", "back in the summer",
                      "for years when we were together", "on Sunday"])
    status = pick(rng, ["they've moved out now", "they're at work now and I'm safe", "I've left and I'm at my sister's",
                        "it's calmed down now but I want it on record", "I'm safe right now, I just want to talk to someone"]
                  + (["we're not together any more", "we split up after that"] if partner else []))
    text = f"{pick(rng, OPEN)}{who} {what} {when}, {status}."
    return rng.choice(["101", "chat", "online"]), text.strip(), "victim of domestic abuse, reporting later", dict(
        grade=3, acc=[3, 4] if ("phone" in what or "wages" in what or "card" in what) else [3], route="appointment",
        flags=["domestic_abuse"], refs=[], cat="domestic_abuse")


def t_damage_now(rng):
    who, pl = pick(rng, [("a man", False), ("a gang of lads", True), ("my neighbour", False), ("some kids", True),
                         ("a drunk bloke", False), ("two lads", True)])
    what = pick(rng, ["smashing my car windows", "kicking my front door in", "putting bricks through the shop window",
                      "jumping on the cars on our street", "smashing up the bus stop", "lobbing bottles at my front windows"])
    they, theyre = ("they", "they're") if pl else ("he", "he's")
    extra, flags, g = pick(rng, [("right now", ["in_progress", "suspect_present"], 2),
                                 ("right now, " + ("they've" if pl else "he's") + " got a hammer", ["in_progress", "suspect_present", "weapon"], 1),
                                 (f"and shouting {they}'ll kill me, {theyre} still here", ["in_progress", "suspect_present", "threat_to_life"], 1),
                                 ("as we speak, I'm watching from upstairs", ["in_progress", "suspect_present"], 2)])
    text = f"{who} {'are' if pl else 'is'} {what} {extra}"
    return "999", text, "witness or victim, urgent", dict(grade=g, acc=[1, 2], route="deploy", flags=flags, refs=[],
                                                        cat="criminal_damage")


def t_stalk_now(rng):
    who = pick(rng, ["my ex", "the man who's been stalking me", "the guy I reported last week", "my ex-boyfriend"])
    where = pick(rng, ["is outside my house right now", "is in the car park outside my work now, waiting by my car",
                       "has just followed me into the shop and he's by the door", "is banging on my front door now"])
    tail, extra = pick(rng, [("he's not allowed near me", []), ("he's got a court order", []),
                             ("he's said before he'll kill me", ["threat_to_life"]), ("I'm scared", [])])
    da = who.startswith("my ex")
    text = f"{who} {where}, {tail}"
    flags = ["stalking_harassment", "suspect_present", "in_progress"] + (["domestic_abuse"] if da else []) + extra
    return rng.choice(["999", "999", "chat"]), text, "victim of stalking, frightened", dict(
        grade=1 if extra else 2, acc=[1, 2], route="deploy", flags=flags, refs=[], cat="stalking_harassment")

TEMPLATES = [
    (t_noise, 70), (t_noise_threat, 10), (t_theft, 65), (t_shoplift, 30), (t_vehicle, 40), (t_vehicle_now, 8),
    (t_damage, 40), (t_burglary, 30), (t_fraud, 35), (t_update, 35), (t_highways, 25), (t_lost, 20),
    (t_rtc, 15), (t_animals, 20), (t_mh, 30), (t_medical, 25), (t_civil, 25), (t_stalk_later, 15),
    (t_hate_later, 12), (t_fire, 8), (t_da_later, 25), (t_damage_now, 12), (t_stalk_now, 10),
]


def generate(make):
    rng = random.Random(SEED)
    out, seen = [], set()
    for fn, count in TEMPLATES:
        made, tries = 0, 0
        while made < count and tries < count * 40:
            tries += 1
            ch, text, voice, lab = fn(rng)
            text = re.sub(r"\s+", " ", text).strip()
            text = re.sub(r"\.\.", ".", text)
            text = re.sub(r",\s*\.", ".", text)
            if lab["grade"] in (1, 2) and ch == "999":
                allow = ("plain", "typos", "lower", "lowtypo", "shouty")
            else:
                allow = ("plain", "typos", "lower", "text", "masked", "shouty", "lowtypo")
            narr, v = apply_voice(text, rng, ch, voice, allow)
            key = " ".join(re.sub(r"[^a-z0-9 ]", "", narr.lower()).split())
            if key in seen:
                continue
            seen.add(key)
            rec = make(ch, lab["grade"], lab["acc"], lab["route"], lab["flags"], lab["refs"], lab["cat"],
                       v + " (generated)", narr)
            rec["_where"] = f"gen:{fn.__name__}:{made}"
            out.append(rec)
            made += 1
    return out
