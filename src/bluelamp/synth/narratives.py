"""The words of each kind of contact: templates with slots, and the facts a handler would establish.

`note` templates are a call handler's notes of a 999 or 101 call; `own` templates are the person's own
words (live chat, online reports, and quoted callers). Each template carries the answers a handler who
asked the THRIVE questions would record (weapon, injury, in_progress, ...); negations ("no weapons
seen") are there on purpose, so the triage's negation handling is exercised.
"""

from __future__ import annotations

F = dict[str, bool]
T = tuple[str, F]

# Short names for the answer keys, so the templates below stay readable.
W, I, P, S, C, L = "weapon", "injury", "in_progress", "suspect_present", "child_present", "threat_to_life"  # noqa: E741


def _f(**kw: bool) -> F:
    return kw


NARRATIVES: dict[str, dict[str, list[T]]] = {
    "domestic_abuse": {
        "note": [
            ("Caller states her {rel} is kicking off at the address, shouting and smashing things. Kids are upstairs.",
             _f(**{P: True, S: True, C: True})),
            ("C/S {rel} has punched her in the face, she has a cut lip. He is still in the house. No weapons seen.",
             _f(**{I: True, P: True, S: True, W: False})),
            ("Female whispering, says {rel} has a {weapon} and is threatening to kill her. Line went dead.",
             _f(**{W: True, P: True, S: True, L: True})),
            ("Caller reports her {rel} turned up drunk and tried to force the door. He has now left towards {street}. Nobody hurt.",
             _f(**{I: False, P: False, S: False})),
            ("Male caller says his {rel} assaulted him, scratches to his neck. She has gone to her mum's. No children present.",
             _f(**{I: True, S: False, C: False})),
            ("Neighbour reports screaming from next door, sounds like a man hitting a woman, baby crying.",
             _f(**{P: True, C: True})),
            ("Caller says her {rel} has been controlling her money and phone for months and tonight grabbed her by the throat.",
             _f(**{I: True, S: True})),
        ],
        "own": [
            ("my {rel} is going mental and hitting me please send someone the kids are here",
             _f(**{P: True, S: True, C: True, I: True})),
            ("I need help, my {rel} won't let me leave the house and says he will hurt me if I call anyone.",
             _f(**{S: True, L: False})),
            ("He pushed me down the stairs last night. I'm ok but bruised. He's at work now.",
             _f(**{I: True, S: False, P: False})),
        ],
    },
    "domestic_historic": {
        "note": [
            ("Caller wishes to report historic domestic abuse by her {rel}, over a period of two years. No current risk, he lives in {town} now.",
             _f(**{P: False, S: False})),
            ("Caller reports her {rel} has breached his non-molestation order by messaging her {when}.",
             _f(**{P: False})),
        ],
        "own": [
            ("I want to report my {rel} for what he did when we were together, he used to hit me and check my phone.",
             _f(**{P: False})),
            ("my ex keeps breaking his bail conditions, he drove past my house {when}",
             _f(**{P: False})),
        ],
    },
    "assault": {
        "note": [
            ("Caller was punched by an unknown male outside {place}. Bleeding from the nose. Suspect walked off towards {street}.",
             _f(**{I: True, S: False, W: False})),
            ("Fight outside {place}, two males, one on the floor not moving.", _f(**{P: True, I: True})),
            ("Caller reports he was assaulted at work by a customer {when}, no injuries, has CCTV.",
             _f(**{I: False, P: False})),
            ("Door staff at {place} have detained a male who headbutted another customer. Victim has a swollen eye.",
             _f(**{I: True, S: True})),
        ],
        "own": [
            ("I was attacked {when} near {place}, a lad punched me for no reason. I have a black eye.",
             _f(**{I: True, P: False})),
            ("someone hit my son at school and the school are doing nothing", _f(**{C: True, P: False})),
        ],
    },
    "assault_weapon": {
        "note": [
            ("Male stabbed outside {place}, lots of blood, suspect ran off with the {weapon}.",
             _f(**{W: True, I: True, L: True})),
            ("Caller reports a group fighting on {street}, one has a {weapon}. Ongoing.", _f(**{W: True, P: True})),
            ("Male has been hit over the head with a {weapon} at {place}, conscious and talking.",
             _f(**{W: True, I: True})),
        ],
        "own": [
            ("there's a man with a {weapon} chasing someone down {street} HURRY", _f(**{W: True, P: True})),
        ],
    },
    "weapon_sighting": {
        "note": [
            ("Caller saw a youth with a large {weapon} in his waistband near {place}, no threats made.",
             _f(**{W: True})),
            ("Caller believes a male has a gun in {vehicle} parked on {street}. Not seen it pointed at anyone.",
             _f(**{W: True})),
            ("Report of a male waving a {weapon} about outside {place}. No one injured so far.",
             _f(**{W: True, I: False, P: True})),
        ],
        "own": [
            ("saw a lad flashing a knife at the bus stop on {street}, not sure if its real", _f()),
        ],
    },
    "threats": {
        "note": [
            ("Caller's neighbour threatened to burn her house down during an argument over parking. Not at the address now.",
             _f(**{S: False, L: False})),
            ("Caller received threatening messages from an unknown number saying they know where he lives.", _f()),
            ("Caller states a male has threatened to stab her son. He is outside now.", _f(**{S: True, C: True})),
        ],
        "own": [
            ("Someone has been sending me messages saying they will hurt me and my family.", _f()),
            ("a lad at my work said he'll batter me after my shift, what can I do", _f()),
        ],
    },
    "sexual_offence": {
        "note": [
            ("Female caller reports she was sexually assaulted by a male she met {when}. She is safe at a friend's house.",
             _f(**{P: False, S: False})),
            ("Caller states a man exposed himself to her on the canal towpath. He is still nearby.",
             _f(**{S: True})),
            ("Mother reports her {age} year old daughter has been sent indecent images by an adult online.",
             _f(**{C: True})),
            ("Caller reports she was raped by her {rel} last night. Injuries to her arms.", _f(**{I: True, S: False})),
        ],
        "own": [
            ("a man touched me on the bus without my consent and wouldn't stop", _f()),
            ("I want to report that I was raped two years ago by someone I knew.", _f(**{P: False})),
        ],
    },
    "hate_crime": {
        "note": [
            ("Caller was racially abused by a group of youths outside {place}. No injuries.", _f(**{I: False})),
            ("Caller's car has been sprayed with homophobic graffiti on {street} {when}.", _f()),
            ("Shopkeeper reports a male shouting racist abuse and threatening staff. Still in the shop.",
             _f(**{S: True, P: True})),
        ],
        "own": [
            ("I was called a p*ki and spat at while walking home, this is the third time this month",
             _f(**{P: False})),
            ("Our mosque has had a note pushed through the door with hateful messages.", _f()),
            ("My neighbours keep making comments about me being gay and now they have put a sign on my fence.", _f()),
        ],
    },
    "stalking": {
        "note": [
            ("Caller states her ex keeps turning up at her work and following her home. She is frightened.", _f()),
            ("Caller reports a man has been sitting outside her house in {vehicle} every night this week.",
             _f(**{S: True})),
        ],
        "own": [
            ("my ex has made fake accounts to message me and he keeps turning up where I am, I'm scared",
             _f()),
            ("Someone put a tracker on my car. I think it's my ex-partner.", _f()),
        ],
    },
    "harassment": {
        "note": [
            ("Caller is being harassed by a former friend on social media, abusive comments daily.", _f()),
            ("Caller says a neighbour keeps filming her children over the fence.", _f(**{C: True})),
        ],
        "own": [
            ("someone keeps posting lies about me on facebook and messaging my friends", _f()),
            ("I keep getting calls from a withheld number at all hours, it's been going on for weeks", _f()),
            ("My ex won't stop texting me even though I've told him to stop. No threats but it's constant.", _f()),
        ],
    },
    "concern_welfare": {
        "note": [
            ("Caller concerned for her elderly neighbour {old_first}, {age_old}, milk on the step and curtains shut for two days.",
             _f()),
            ("Caller's father {old_first} has dementia and has not answered the phone since yesterday. He lives alone.",
             _f()),
            ("Caller saw an elderly woman in a nightie wandering on {street}, seems confused.", _f()),
            ("Caller worried about his brother, hasn't been seen for days, not answering door. No concerns for self harm known.",
             _f()),
        ],
        "own": [
            ("can someone check on my nan please, she's not answering and she's 89", _f()),
            ("I'm worried about my mum, she sounded really confused on the phone and now she's not answering.", _f()),
        ],
    },
    "mental_health": {
        "note": [
            ("Caller is in crisis, says the voices are telling him to hurt people. No weapons, at home alone.",
             _f(**{W: False})),
            ("Caller known to mental health services, very distressed, shouting and crying. Not threatening anyone.",
             _f()),
            ("Male in the street shouting at cars and stepping into the road on {street}, appears to be in mental health crisis.",
             _f(**{P: True})),
            ("Caller says she's not coping, wants someone to talk to. States she is not going to harm herself.",
             _f()),
        ],
        "own": [
            ("i cant cope anymore everything is too much", _f()),
            ("I'm having a bad episode and my crisis team aren't answering", _f()),
        ],
    },
    "suicide_risk": {
        "note": [
            ("Caller's friend has sent messages saying goodbye and that he has taken an overdose.",
             _f(**{L: True})),
            ("Male on the wrong side of the railings on the bridge over {road}.", _f(**{L: True, P: True})),
            ("Caller's daughter, {age}, has said she wants to end her life and has locked herself in the bathroom.",
             _f(**{L: True, C: True})),
        ],
        "own": [
            ("my boyfriend just texted me saying he's going to kill himself, he's not answering",
             _f(**{L: True})),
        ],
    },
    "missing_person": {
        "note": [
            ("Caller reports her son {first}, {age}, has not come home from school. Not like him, phone off.",
             _f(**{C: True})),
            ("Care home staff report resident {first}, {age}, missing again since {hours}pm. Known to be at risk of exploitation.",
             _f(**{C: True})),
            ("Caller's daughter {first}, {age}, went out last night and hasn't returned. She has gone missing before.",
             _f(**{C: True})),
        ],
        "own": [
            ("my son hasnt come home and its nearly midnight he's only {age}", _f(**{C: True})),
        ],
    },
    "missing_found": {
        "note": [
            ("Caller reporting that {first} who was reported missing {when} has returned home safe and well.",
             _f()),
        ],
        "own": [
            ("Just to let you know my daughter has come home, she's fine. Ref {ref}.", _f()),
        ],
    },
    "child_concern": {
        "note": [
            ("Caller concerned about children left alone at the house next door, about {age}, parents not seen since morning.",
             _f(**{C: True})),
            ("Caller heard a man screaming at a child in the flat above, then a bang. Quiet now.",
             _f(**{C: True})),
            ("Teacher reports a pupil disclosed being hit with a belt at home.", _f(**{C: True, I: True})),
        ],
        "own": [
            ("There's a toddler on his own in the street outside {place}, no adults around", _f(**{C: True})),
        ],
    },
    "burglary_in_progress": {
        "note": [
            ("Caller can hear someone downstairs in her house, she is hiding in the bedroom.",
             _f(**{P: True, S: True})),
            ("Neighbour reports two males climbing into the rear of a house on {street}, one has a crowbar.",
             _f(**{P: True, W: True})),
            ("Caller has just disturbed a burglar who ran off through the back garden. Nobody hurt.",
             _f(**{P: False, I: False})),
        ],
        "own": [
            ("someone is trying to get in my back door right now", _f(**{P: True})),
        ],
    },
    "burglary_report": {
        "note": [
            ("Caller has come home to find the back door forced and jewellery taken. Offenders not on scene.",
             _f(**{P: False, S: False})),
            ("Shed broken into overnight, power tools and a bike stolen.", _f(**{P: False})),
            ("Caller's garage was broken into {when}, nothing seems to be taken.", _f(**{P: False})),
        ],
        "own": [
            ("We were burgled while at work, they took a laptop and my rings. The back window is smashed.",
             _f(**{P: False})),
            ("my shed got broke into again and they took my lawnmower", _f()),
        ],
    },
    "theft": {
        "note": [
            ("Caller's {item} was stolen from her bag in {place} {when}.", _f(**{P: False})),
            ("Caller reports his bike was taken from outside {place}, it was locked.", _f(**{P: False})),
            ("Parcel stolen from caller's doorstep, seen on Ring doorbell.", _f()),
        ],
        "own": [
            ("Someone stole my {item} at {place} {when}. I have the tracking location.", _f()),
            ("My {item} was taken from my car at the gym.", _f()),
            ("catalytic converter stolen off my car overnight on {street}", _f()),
        ],
    },
    "theft_in_progress": {
        "note": [
            ("Caller watching two males trying car door handles on {street} now.", _f(**{P: True})),
            ("Males loading copper cable into {vehicle} at the substation, happening now.", _f(**{P: True})),
        ],
        "own": [],
    },
    "shoplifting": {
        "note": [
            ("Security at {shop} have detained a shoplifter who took {goods}. He is being abusive but compliant.",
             _f(**{S: True, W: False})),
            ("Staff at {shop} report a male has just left with a bag of {goods}, went towards {street}.",
             _f(**{S: False})),
            ("Known shoplifter in {shop} again, threatened staff with a syringe when challenged.",
             _f(**{W: True, S: True, P: True})),
        ],
        "own": [
            ("Shop theft at {shop}. Male took {goods} value {amount}. CCTV available.", _f()),
            ("Repeat shoplifter at {shop} {when}, same woman as last week, took {goods}.", _f()),
        ],
    },
    "vehicle_crime": {
        "note": [
            ("Caller's car window has been smashed on {street} and a bag taken.", _f()),
            ("Caller reports her car has been stolen from outside her house overnight, keys still inside.", _f()),
        ],
        "own": [
            ("my car was broken into last night on {street}, glove box emptied", _f()),
            ("Number plates stolen off my van {when}.", _f()),
            ("Someone has keyed my car all down one side while it was parked at {place}.", _f()),
        ],
    },
    "criminal_damage": {
        "note": [
            ("Caller's front window has been put through with a brick. Nobody hurt, offenders gone.",
             _f(**{I: False, S: False})),
            ("Youths have sprayed graffiti on the bus shelter on {street}.", _f()),
        ],
        "own": [
            ("Someone has slashed all four tyres on my car on {street}.", _f()),
            ("my fence has been kicked in again by the kids from the estate", _f()),
            ("Eggs thrown at my house {when}, this keeps happening.", _f()),
        ],
    },
    "fraud": {
        "note": [
            ("Caller was phoned by someone claiming to be her bank and transferred {amount} to a safe account.",
             _f()),
            ("Elderly caller had a man at the door who charged {amount} for roof repairs that were never done.",
             _f()),
            ("Caller reports courier fraud: a man posing as a police officer is coming to collect her cash today.",
             _f(**{P: True})),
        ],
        "own": [
            ("I bought a puppy online and paid {amount} but the seller has blocked me", _f()),
            ("I've been scammed on Facebook Marketplace, paid {amount} for a PS5 that never arrived", _f()),
            ("Someone has used my card details to buy things online, the bank said to report it.", _f()),
            ("got a text from 'royal mail' and put my bank details in, now money gone", _f()),
        ],
    },
    "asb": {
        "note": [
            ("Group of youths on motorbikes riding on the field off {street}, nuisance to residents.",
             _f(**{P: True})),
            ("Youths throwing stones at cars near {place}. Not hit anyone.", _f(**{P: True, I: False})),
            ("Caller reports people using drugs in the stairwell of the flats again.", _f()),
            ("Teenagers knocking on doors and running off on {street}, ongoing for an hour.", _f(**{P: True})),
        ],
        "own": [
            ("kids on bikes doing wheelies down {street} and shouting abuse at people", _f()),
            ("There are people drinking and leaving needles in the park off {street} every night.", _f()),
        ],
    },
    "disturbance": {
        "note": [
            ("Large group fighting outside {place}, glasses being thrown.", _f(**{P: True})),
            ("Drunk male refusing to leave {place}, shouting at staff. No weapons.", _f(**{P: True, W: False})),
            ("Caller reports a party with about 50 people spilling into the road on {street}.", _f(**{P: True})),
        ],
        "own": [],
    },
    "noise": {
        "note": [
            ("Caller complains of loud music from next door, ongoing since {hours}pm. Not the first time.", _f()),
            ("Barking dog left alone all day at a house on {street}.", _f()),
        ],
        "own": [
            ("the neighbours music is so loud the walls are shaking, its 2am", _f()),
            ("Another party at number 14, this is every weekend. The council say to call you.", _f()),
        ],
    },
    "neighbour_dispute": {
        "note": [
            ("Ongoing dispute with neighbour over a boundary fence, no threats made.", _f()),
            ("Caller says the neighbours keep parking across his drive. Civil matter advised previously.", _f()),
        ],
        "own": [
            ("my neighbour keeps putting his bins in front of my house and swearing at me", _f()),
            ("The people next door have cut down my hedge without asking.", _f()),
        ],
    },
    "civil_matter": {
        "note": [
            ("Caller's landlord is refusing to return her deposit.", _f()),
            ("Dispute with ex over child contact arrangements this weekend, no threats or violence.", _f()),
        ],
        "own": [
            ("A builder took a deposit of {amount} and hasn't started work, is that a police matter?", _f()),
            ("my ex won't give me back my stuff from the flat", _f()),
        ],
    },
    "rtc_injury": {
        "note": [
            ("Two car RTC on {road}, one driver trapped, airbags deployed.", _f(**{I: True})),
            ("Car has hit a cyclist on {street}, cyclist conscious but leg injury.", _f(**{I: True})),
            ("Motorbike off the road on {road}, rider not moving.", _f(**{I: True, L: True})),
        ],
        "own": [],
    },
    "rtc_damage": {
        "note": [
            ("Minor collision on {road}, no injuries, other driver refusing to give details.", _f(**{I: False})),
            ("Car has hit a wall on {street}, driver has left the scene. Nobody injured.", _f(**{I: False})),
        ],
        "own": [
            ("Someone reversed into my car in the {shop} car park and drove off. Nobody hurt.", _f()),
            ("I was in a minor accident on {road} {when}, the other driver had no insurance.", _f()),
        ],
    },
    "drink_driver": {
        "note": [
            ("Caller following {vehicle} on {road}, swerving all over the road, believes driver is drunk.",
             _f(**{P: True})),
            ("Caller saw a man stagger out of {place} and drive off in {vehicle}.", _f(**{P: True})),
        ],
        "own": [],
    },
    "road_obstruction": {
        "note": [
            ("Large tree down across {road}, cars swerving round it.", _f()),
            ("Cows out on the road at {road}.", _f()),
            ("Broken down lorry blocking a lane on {road}, no hazard lights.", _f()),
        ],
        "own": [],
    },
    "suspicious": {
        "note": [
            ("Caller reports a man looking into car windows on {street}.", _f(**{P: True})),
            ("Unknown {vehicle} has been parked outside the school for an hour, male watching children.",
             _f(**{C: True})),
            ("Caller heard banging from the empty house next door, possibly people inside.", _f(**{P: True})),
            ("Two men in hi-vis knocking on doors claiming to be from the water board. Caller not convinced.",
             _f(**{P: True})),
        ],
        "own": [
            ("there's a van driving slowly round the estate and the men are looking at houses", _f()),
        ],
    },
    "drugs_info": {
        "note": [
            ("Anonymous caller says drugs are being dealt from a flat on {street}, cars coming and going all day.",
             _f()),
        ],
        "own": [
            ("Drug dealing from {vehicle} outside {place} every evening around 8.", _f()),
            ("I think my neighbour's flat has been taken over by dealers, the tenant is vulnerable.", _f()),
        ],
    },
    "lost_property": {
        "note": [
            ("Caller has lost her {item} in the town centre, needs a reference for insurance.", _f()),
            ("Caller lost his wallet on the bus, cards cancelled.", _f()),
        ],
        "own": [
            ("I lost my {item} {when} somewhere around {place}, has anyone handed it in?", _f()),
            ("lost my passport, do I need a crime number", _f()),
        ],
    },
    "found_property": {
        "note": [
            ("Caller has found a purse with cards in it on {street}.", _f()),
            ("Caller has found a bike dumped in her garden, not hers.", _f()),
        ],
        "own": [
            ("I found a set of car keys at {place}, what should I do with them?", _f()),
        ],
    },
    "update_request": {
        "note": [
            ("Caller wants an update on her report {ref}, has not heard from {officer}.", _f()),
            ("Caller chasing crime reference {ref} for the insurance.", _f()),
            ("Caller asking whether anyone has been arrested for the burglary, ref {ref}.", _f()),
        ],
        "own": [
            ("Hi, I reported something two weeks ago ({ref}) and nobody has got back to me.", _f()),
            ("can i get an update on my case {ref} please", _f()),
            ("Is there any news on my stolen car? Reference {ref}.", _f()),
        ],
    },
    "general_enquiry": {
        "note": [
            ("Caller asking how to get a copy of a police report for court.", _f()),
            ("Caller wants to know if she can legally carry a pocket knife for work.", _f()),
            ("Caller asking about firearms licence renewal.", _f()),
        ],
        "own": [
            ("how do i apply for a DBS check", _f()),
            ("What are the opening times of the front counter at the police station?", _f()),
            ("Can I report a pothole here?", _f()),
        ],
    },
    "animal": {
        "note": [
            ("Dog locked in a hot car outside {place}, panting heavily.", _f()),
            ("Injured deer in the road on {road}.", _f()),
            ("Loose horse on {road}, cars having to stop.", _f()),
        ],
        "own": [],
    },
    "collapse": {
        "note": [
            ("Male collapsed outside {place}, not responding, people doing CPR.", _f(**{L: True})),
            ("Elderly woman has fallen in the street on {street}, conscious, cut to head.", _f(**{I: True})),
        ],
        "own": [],
    },
    "silent_call": {
        "note": [
            ("Silent 999 call, open line, muffled voices in background, no response to 55 prompt.", _f()),
            ("Abandoned 999 call, call back went to voicemail.", _f()),
            ("Child playing with phone, parent apologised, no concerns.", _f(**{C: True})),
            ("Silent call, caller pressed 55, whispering 'he's here'.", _f(**{P: True, S: True})),
        ],
        "own": [],
    },
    "misuse": {
        "note": [
            ("Caller asking for the number for the council. Advised 999 is for emergencies.", _f()),
            ("Caller complaining his takeaway order is wrong. Advised about misuse of 999.", _f()),
            ("Drunk male making repeat calls to 999 with abuse. No emergency.", _f()),
        ],
        "own": [],
    },
}
