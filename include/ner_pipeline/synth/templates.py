"""Conversation templates: what counsellors and callers say, by beat.

Syntax (rendered by synth/render.py):
- An entry is one exchange: turns separated by " || ", each starting with "C:" (counsellor) or
  "K:" (caller; the child in child-caller pools).
- {slot} inserts a mention (labelled or not, see generator.Call.slot); a capitalised slot
  name ({She}, {Perp}) capitalises it for a sentence start.
- [a|b|c] picks one literal alternative ([, madam|] makes a part optional); <sg|pl> agrees
  with a plural perpetrator ("<beats|beat>").
- {if_...} slots print nothing; they restrict an entry to calls where it makes sense:
  if_perp_home (the perpetrator lives with the child), if_perp_adult (not classmates),
  if_abuse (not distress/dropout/substance), if_violent (physical/sexual), if_girl.
- An entry whose slots a call cannot fill (no perpetrator, no phone, ...) is never picked.

Rules that keep the labels right (tests/unit/test_synth.py lints them):
- Literal text never contains a pronoun or gender noun (she, her, boy, daughter ...), an
  incident or distress word, or an unnamed landmark ("the police station"): the child is only
  referred to through slots, so every such word in a transcript is a labelled mention.
- Other people are never referred to with a pronoun in literal text; {p_he}/{p_him}/{p_his}
  use a pronoun for the perpetrator only when it cannot be read as the child's.
"""

from __future__ import annotations

# -- Opening (counsellor) ---------------------------------------------------------------------
OPENING_NAMED = (
    "C:[Good morning|Good afternoon|Good evening|Hello], [you are through to|this is|you have reached|welcome to] the child helpline, my name is {couns}. [How can I help you today?|How may I help you?|What would you like to talk about?|Please tell me how I can help.]",
    "C:[Hello|Good morning|Good evening], child helpline, {couns} speaking. [How can I help?|How may I assist you?|Go ahead, I am listening.]",
    "C:Thank you for calling the [child helpline|toll-free child helpline|national child helpline]. I am {couns}, [a counsellor here|one of the counsellors]. [What is your concern today?|How can I help you?|Please go ahead.]",
    "C:[Hello, hello.|Hello?] This is the child helpline, you are speaking [with|to] {couns}. [Are you there?|Can you hear me?] || K:[Yes, I can hear you.|Yes, I am here.|Yes, hello.]",
    "C:Child helpline, good [morning|afternoon|evening]. [My name is|I am|This is] counsellor {couns}, [how can I help?|what is the problem?|feel free to talk.]",
    "C:Welcome to the child helpline. You are talking to {couns}. [Everything you say here is confidential.|This call is free and confidential.] [How can I help you?|Tell me, what is happening?]",
    "C:Hello, [you are welcome to|thank you for calling] the child helpline. [I am|My name is] {couns}, may I know who I am talking to?",
)
OPENING_ANON = (
    "C:[Hello|Good evening|Good morning], you are through to the child helpline. [How can I help you?|How may I help?]",
    "C:Child helpline, [good morning|good afternoon|good evening], how can I help you today?",
    "C:Hello, this is the child helpline. [Please go ahead, I am listening.|What is the reason for your call?]",
    "C:[Hello?|Hello, hello?] You have reached the child helpline, [can you hear me?|are you there?] || K:[Yes, I am here.|Yes, I can hear you now.]",
)

# -- Adult caller: greeting, self-introduction, and the child (by frame) ----------------------
A_GREET = (
    "K:Hello.", "K:Hello, good evening.", "K:Yes, hello.", "K:Hello madam.", "K:Hello sir.",
    "K:Thank you[ very much|].", "K:Hello {couns}.", "K:Good morning {couns}.",
    "K:Hello, thank you for picking up.", "K:Yes, I can hear you.", "K:Hello, is this the child helpline?",
    "K:Good afternoon.", "K:Thank you {couns}.", "K:Hello, I have been trying to call for some time.",
)
A_SELF_NAMED = (
    "K:My name is {caller}.", "K:I am {caller}.", "K:This is {caller}[ speaking|].", "K:I am called {caller}.",
    "K:My name is {caller} and I am calling from {loc}.", "K:I am {caller}, calling from {loc}.",
    "K:You can call me {caller}.", "K:My names are {caller}.", "K:It is {caller} here.",
    "K:I am {caller}, I live in {loc}.",
)
A_SELF_ANON = (
    "K:I would prefer not to give my name.", "K:I do not want to say my name, is that okay?",
    "K:I am calling from {loc}.", "K:Please, I do not want my name to be known.",
    "K:I am calling from {loc}, and I will not give my name.",
)
A_ABOUT = {
    "parent": (
        "K:I am calling about my {offspring} {v}.",
        "K:I am calling because of my {offspring}, {v}, who is {age} years old.",
        "K:It is about my {offspring}. {Her} name is {v} and {she} is {age}.",
        "K:I have a problem with my {age}-year-old {offspring}, {v}.",
        "K:My {offspring} {v} is in trouble and I do not know what to do.",
        "K:I need help for my {offspring} {v}.",
        "K:I want to report something that is happening to my {offspring}, {v}.",
        "K:I am [worried|very worried] about my {offspring}. {Her} name is {v}.",
    ),
    "relative": (
        "K:I am calling about my {kin} {v}.",
        "K:I want to talk about my {kin}, {v}, who is {age} years old.",
        "K:My {kin} {v} needs help.",
        "K:It is about my {kin}. {She} is called {v} and {she} is only {age}.",
        "K:I am worried about my {kin} {v}.",
        "K:I am calling for my {kin} {v}, {she} is {age}.",
    ),
    "neighbour": (
        "K:I am calling about a {child} who lives next to my house, {v}.",
        "K:There is a {child} in my neighbourhood called {v}.",
        "K:My neighbour's {offspring}, {v}, needs help.",
        "K:I live next to a family with a {child} called {v}, and I am worried about {her_o}.",
        "K:I want to report what is happening to a {child} next door. {Her} name is {v}.",
        "K:There is {a_age}-year-old {child} in our area, {v}, who is suffering.",
    ),
    "teacher": (
        "K:I am a teacher at {lm_school}, and I am calling about a {child} in my class called {v}.",
        "K:I teach at {lm_school}. One of my pupils, {v}, is in trouble.",
        "K:I am calling about a pupil of mine, a {child} called {v}. {She} is in {std}.",
        "K:I am a class teacher and I am worried about a {child} in my class, {v}.",
        "K:I am calling from {lm_school}, I am a teacher there. It is about a {child} named {v}.",
    ),
    "community": (
        "K:I am the {caller_role} here in {loc}. There is a {child} called {v} who needs help.",
        "K:I am a {caller_role}, and I want to report the case of a {child} in our village, {v}.",
        "K:I am calling as the {caller_role} of our area. It is about a {child} named {v}.",
        "K:I serve as {caller_role} in our community, and a {child} called {v} has come to me for help.",
    ),
    "health": (
        "K:I am a nurse at {lm_clinic}. A {child} called {v} was brought here today.",
        "K:I work at {lm_clinic}, and we have a {child}, {v}, who came in [this morning|yesterday].",
        "K:I am a health worker at {lm_clinic}. I am calling about {a_age}-year-old {child}, {v}.",
        "K:I am a clinical officer, and I saw a {child} called {v} in our facility [today|this week].",
    ),
}

# -- Child caller -----------------------------------------------------------------------------
# The counsellor rarely uses the child's name as a vocative ("..., Rehema."): a vocative name is
# the adult caller's (NAME) everywhere else, and a model cannot tell the two apart locally.
K_GREET = (
    "K:Hello.", "K:Hello? Is this the child helpline?", "K:Hello, madam.", "K:Yes, hello.",
    "K:Hello, can you help me?", "K:Hello {couns}.", "K:Hello, I need help.", "K:Hello sir.",
    "K:Good evening.", "K:Hello, my teacher gave us this number.",
)
K_SELF = (  # a child cue (age, class, girl/boy) next to the name, mostly before it
    "K:I am {a_child} called {v}, I am {age} years old.", "K:I am {a_child} of {age} years, my name is {v}.",
    "K:I am {age} years old, my name is {v}.", "K:I am a pupil in {std}, my name is {v}.",
    "K:I am {a_child} from {loc}, they call me {v}, I am {age}.", "K:I am {a_child}, my name is {v} and I am {age}.",
    "K:I am a student at {lm_school}, my name is {v}.", "K:I am {a_child} of {age} years from {loc}. My name is {v}.",
    "K:My name is {v}, I am just {a_child} of {age} years.", "K:My name is {v} and I am {age} years old.",
    "K:I am called {v}, I am {a_child} in {std}.", "K:My name is {v}, I am in {std} at {lm_school}.",
)
K_ABOUT = (
    "K:I have a problem at home.", "K:Something bad is happening to me.",
    "K:I am afraid and I do not know who to tell.", "K:I want to talk to someone, please.",
    "K:A friend told me to call this number.", "K:Things are very bad at home.",
    "K:Please help me, I do not know what to do.", "K:I have been thinking about calling for a long time.",
)

# -- The problem, by incident category: the caller describes it --------------------------------
PROBLEM = {
    "physical": {
        "adult": (
            "K:{Perp} <beats|beat> {her_o} almost every day.",
            "K:{Perp} <beats|beat> {her_o} with a stick whenever {she} makes a small mistake.",
            "K:Last week {p_he} beat {her_o} so badly that {she} could not walk to school.",
            "K:{She} has wounds on {her} back and arms, and {she} says {perp} did it.",
            "K:{if_perp_home}{Perp} burned {her} hand with a hot knife because {she} ate some food without asking.",
            "K:{if_perp_home}{Perp} <beats|beat> {her_o} when drunk and <sends|send> {her_o} out of the house at night.",
            "K:{She} came to my house crying, with a swollen face, and said {perp} hit {her_o}.",
            "K:{Perp} <ties|tie> {her_o} with a rope and <beats|beat> {her_o} with a belt.",
            "K:{if_perp_home}The people around hear {her_o} crying at night when {perp} <is|are> punishing {her_o}.",
            "K:{Perp} hit {her_o} on the head with a cooking stick and {she} was bleeding.",
        ),
        "child": (
            "K:{Perp} <beats|beat> me almost every day.",
            "K:{if_perp_home}{Perp} <beats|beat> me with a belt when I come home late.",
            "K:I have wounds on my back because of {perp}.",
            "K:Yesterday {p_he} beat me until I was bleeding.",
            "K:{Perp} <hits|hit> me even when I have done nothing wrong.",
            "K:{if_perp_home}{Perp} <beats|beat> me when drunk and <chases|chase> me out of the house.",
        ),
    },
    "sexual": {
        "adult": (
            "K:{Perp} <has|have> been touching {her_o} in a bad way when nobody is at home.",
            "K:{She} told me that {perp} forced {her_o} to have sex.",
            "K:{Perp} <gives|give> {her_o} money and sweets and then <takes|take> {her_o} to a back room.",
            "K:{if_girl}{She} is now pregnant, and {she} says it was {perp}.",
            "K:{Perp} <calls|call> {her_o} in the evening and <touches|touch> {her_o}.",
            "K:{She} was found crying behind the house with torn clothes, and {she} mentioned {perp}.",
            "K:{Perp} threatened to kill {her_o} if {she} tells anyone what happened.",
            "K:{She} is afraid to pass near the place where {perp} <stays|stay>.",
        ),
        "child": (
            "K:{if_perp_home}{Perp} <comes|come> to my bed at night when everyone is asleep.",
            "K:{Perp} touched me in a bad way and told me not to tell anyone.",
            "K:{Perp} <gives|give> me money and then <asks|ask> me to come to the back room.",
            "K:{if_girl}I think I am pregnant and it is because of {perp}.",
            "K:{Perp} said that if I tell anyone, I will be killed.",
        ),
    },
    "emotional": {
        "adult": (
            "K:{Perp} <insults|insult> {her_o} every day and <calls|call> {her_o} useless.",
            "K:{if_perp_home}{Perp} <tells|tell> {her_o} that {she} is a curse to the family.",
            "K:{if_perp_home}{Perp} <does|do> not allow {her_o} to eat with the rest of the family.",
            "K:{if_perp_home}{Perp} <locks|lock> {her_o} outside the house at night.",
            "K:{Perp} <shouts|shout> at {her_o} in front of everyone and <says|say> {she} will never amount to anything.",
            "K:{Perp} <compares|compare> {her_o} with the other children and <says|say> {she} is stupid.",
        ),
        "child": (
            "K:{Perp} <insults|insult> me every day and <says|say> I am useless.",
            "K:{if_perp_home}{Perp} <tells|tell> me that nobody wanted me to be born.",
            "K:{if_perp_home}At home nobody talks to me, {perp} <shouts|shout> at me all the time.",
            "K:{Perp} <calls|call> me stupid in front of the other children.",
        ),
    },
    "neglect": {
        "adult": (
            "K:{Perp} left {her_o} alone in the house for two weeks.",
            "K:{She} does not get food and sleeps outside most nights.",
            "K:{Perp} <goes|go> out drinking and <leaves|leave> {her_o} with no food.",
            "K:{She} is always dirty and hungry, nobody is taking care of {her_o}.",
            "K:{She} is sick but {perp} <refuses|refuse> to take {her_o} to hospital.",
            "K:{Perp} moved to town and left {her_o} with nobody to look after {her_o}.",
        ),
        "child": (
            "K:{Perp} left me with my small siblings and there is no food.",
            "K:I have not eaten since yesterday because {perp} <does|do> not buy food.",
            "K:{Perp} went to town two weeks ago and <has|have> not come back.",
            "K:I am sick but nobody takes me to hospital.",
        ),
    },
    "labour": {
        "adult": (
            "K:{Perp} <makes|make> {her_o} sell {goods} at {lm_work} instead of going to school.",
            "K:{She} works from morning to night for {perp} and is not allowed to rest.",
            "K:{Perp} <sends|send> {her_o} to work in the mines and <takes|take> all the money.",
            "K:{She} fetches water and firewood the whole day and does not go to school.",
            "K:{Perp} brought {her_o} from the village to work as a house help, and <pays|pay> {her_o} nothing.",
            "K:Every day {she} is at {lm_work} carrying heavy loads for {perp}.",
        ),
        "child": (
            "K:{Perp} <makes|make> me sell {goods} at {lm_work} every day.",
            "K:I work in the house from early morning until midnight.",
            "K:I am not going to school because {perp} <says|say> I must work.",
            "K:{Perp} <sends|send> me to carry bricks and I do not get any money.",
        ),
    },
    "marriage": {
        "adult": (
            "K:{Perp} <wants|want> to marry {her_o} off to an old man in exchange for cows.",
            "K:{Perp} already received dowry and the wedding is planned for next month.",
            "K:{Perp} <has|have> stopped {her_o} from going to school so that {she} can get married.",
            "K:The man they want {her_o} to marry is more than forty years old and already has two wives.",
            "K:{She} ran away from home because {perp} <is|are> forcing {her_o} to get married.",
        ),
        "child": (
            "K:{Perp} <wants|want> me to get married to a man I do not know.",
            "K:{Perp} already took the dowry, but I want to continue with school.",
            "K:I ran away from home because they want me to get married next month.",
        ),
    },
    "trafficking": {
        "adult": (
            "K:{Perp} took {her_o} to {city} saying {she} would go to school there, but now {she} is working in a house.",
            "K:{Perp} promised a job for {her_o} in {city}, and we have not heard from {her_o} since.",
            "K:{She} called crying from {city}, saying {perp} took {her} documents.",
            "K:{Perp} <is|are> collecting children from the village and taking them to {city}.",
        ),
        "child": (
            "K:{Perp} brought me to {city} and said I will go to school, but I am working day and night.",
            "K:I do not know anyone here in {city}, and {perp} took my phone.",
            "K:{Perp} promised me a good job in {city}, but now I am locked in a house.",
        ),
    },
    "fgm": {
        "adult": (
            "K:{Perp} <is|are> planning to take {her_o} for the cut during the December holidays.",
            "K:{Perp} <says|say> {she} must go through the ceremony before {she} can get married.",
            "K:The ceremony is planned for next week, and {she} is very afraid.",
            "K:Other children in the village were cut last year, and now they want to do it to {her_o}.",
        ),
        "child": (
            "K:{Perp} <wants|want> me to undergo the cut this holiday, and I do not want it.",
            "K:They are preparing a ceremony for me next week, and I am afraid.",
        ),
    },
    "online": {
        "adult": (
            "K:{Perp} <has|have> been sending {her_o} messages on WhatsApp asking for naked photos.",
            "K:{Perp} <is|are> threatening to post {her} photos on Facebook unless {she} sends money.",
            "K:{She} met {perp} on TikTok and now {p_he} <wants|want> to meet {her_o} in town.",
            "K:{Perp} <sends|send> {her_o} bad pictures on the phone at night.",
        ),
        "child": (
            "K:{Perp} <is|are> asking me for photos and <says|say> the old ones will be shared if I refuse.",
            "K:{Perp} asked me for a photo, and now <wants|want> money or the photo will be shared.",
            "K:{Perp} <keeps|keep> sending me messages on Instagram and I am afraid.",
        ),
    },
    "bullying": {
        "adult": (
            "K:{Perp} <beats|beat> {her_o} and <takes|take> {her} food at school every day.",
            "K:{Perp} <laughs|laugh> at {her_o} and <calls|call> {her_o} names because of {her} old uniform.",
            "K:{She} no longer wants to go to school because of what {perp} <does|do>.",
            "K:{Perp} posted {her} photo in a WhatsApp group and everyone is laughing at {her_o}.",
        ),
        "child": (
            "K:{Perp} <laughs|laugh> at me every day and <takes|take> my pocket money.",
            "K:{Perp} posted my photo on WhatsApp and everyone is laughing at me.",
            "K:{Perp} <pushes|push> me and <calls|call> me names, and I do not want to go to school.",
        ),
        "noperp_adult": (
            "K:Some pupils at school laugh at {her_o} every day, and {she} comes home crying.",
        ),
        "noperp_child": (
            "K:At school they laugh at me every day and take my pocket money.",
        ),
    },
    "dropout": {
        "adult": (
            "K:{Perp} stopped paying {her} school fees, and now {she} stays at home.",
            "K:{Perp} <says|say> school is a waste of money and <keeps|keep> {her_o} at home.",
        ),
        "child": (
            "K:{Perp} <says|say> there is no money for school, so I stay at home.",
        ),
        "noperp_adult": (
            "K:{She} stopped going to school last term because there is no money for fees.",
            "K:{She} used to be a good pupil, but now {she} just stays at home.",
            "K:{She} left school after {std} and now {she} roams around the market.",
        ),
        "noperp_child": (
            "K:I stopped going to school because there is no money for uniform.",
            "K:I left school last year and I do not know what to do.",
        ),
    },
    "substance": {
        "adult": (
            "K:{Perp} <sells|sell> local brew to {her_o} even though {she} is a child.",
            "K:{She} spends the whole day at the place of {perp}, drinking.",
        ),
        "child": (
            "K:{Perp} <gives|give> me alcohol and I cannot stop now.",
        ),
        "noperp_adult": (
            "K:{She} has started smoking bhang with older youths in the area.",
            "K:{She} comes home drunk and does not go to school.",
            "K:{She} sniffs glue with street children near the market.",
        ),
        "noperp_child": (
            "K:I started smoking bhang with my friends and now I cannot stop.",
            "K:I drink every day with the youths in our area.",
        ),
    },
    "pressure": {
        "noperp_adult": (
            "K:{She} says the work at school is too much, and {she} cannot sleep before exams.",
            "K:The other pupils leave {her_o} out of everything, and {she} sits alone at break time.",
            "K:At home there is quarrelling every night, and {she} hears all of it.",
            "K:{She} struggles to read and write, and the other pupils laugh at {her_o}.",
            "K:Everyone expects {her_o} to be first in class, and {she} is failing now.",
        ),
        "noperp_child": (
            "K:My parents want me to be first in class every term, and I cannot manage.",
            "K:My friends stopped talking to me and I sit alone at break time.",
            "K:My parents fight every night and I cannot concentrate on my studies.",
            "K:I try to read but the letters get mixed up and I fail every test.",
            "K:The older pupils keep telling me to do things I do not want to do.",
        ),
    },
    "distress": {
        "noperp_adult": (
            "K:Since {her} mother died, {she} does not talk to anyone.",
            "K:{She} stays alone in the room and cries the whole day.",
            "K:{She} failed {her} exams and now {she} says life has no meaning.",
            "K:{She} stopped eating and spends most of the day sleeping.",
        ),
        "noperp_child": (
            "K:Since my parents separated, I cry every night.",
            "K:I failed my exams and everyone at home is disappointed in me.",
            "K:I do not have friends and I spend the whole day alone.",
            "K:I do not want to live anymore.",
        ),
    },
}

# The caller names the harm; the counsellor names it back.
INC_NAME_ADULT = (
    "K:I think this is {inc}.", "K:{if_abuse}People here say it is normal, but I know it is {inc}.",
    "K:To me this is {inc}.", "K:Is this not {inc}?", "K:I believe what is happening is {inc}.",
    "K:I have heard on the radio that this is called {inc}.", "K:This is {inc}, and nobody is doing anything.",
)
INC_NAME_CHILD = (
    "K:My teacher told us that this is {inc}.", "K:I think this is {inc}.", "K:Is this {inc}?",
    "K:I learnt at school that this is called {inc}.",
)
INC_NAME_C_ADULT = (
    "C:What you are describing is {inc}.",
    "C:{if_abuse}What you are describing is {inc}, and it is against the law.",
    "C:This is {inc}, and we take it very seriously.",
    "C:Thank you for reporting this. {Inc} is a serious matter.",
    "C:{if_abuse}No child should go through {inc}.",
    "C:From what you are saying, this is a case of {inc}.",
    "C:I am recording this as {inc}.",
)
INC_NAME_C_CHILD = (
    "C:What is happening to you is {inc}, and it is not your fault.",
    "C:{if_abuse}That is {inc}, and nobody has the right to do that to you.",
    "C:{if_abuse}Thank you for telling me. {Inc} is never okay.",
    "C:This is {inc}, and we are going to help you.",
)
EMPATHY_C = (
    "C:I am sorry to hear that.", "C:Thank you for telling me this.", "C:That must be very hard.",
    "C:You have done the right thing by calling.", "C:I understand.", "C:Okay, I am listening.",
    "C:Please take your time.", "C:Mm, go on.", "C:Thank you for trusting us with this.",
)

# The counsellor and caller address each other by name (NAME mentions in their own contexts).
ACK_A = (
    "C:Okay {caller}, go on.", "C:I hear you, {caller}.", "C:Thank you, {caller}. Please continue.",
    "C:Mm, {caller}, I am listening.", "C:Take your time, {caller}.", "C:I understand, {caller}.",
    "C:Sorry {caller}, can you repeat that? || K:Yes, I said it again.",
    "C:{Caller}, are you still there? || K:Yes, I am here.",
)
ACK_K = (
    "K:Yes, {couns}.", "K:Thank you, {couns}.", "K:Please, {couns}, help us.", "K:You see, {couns}, it is not easy.",
    "K:{Couns}, are you still there? || C:Yes, I am here, go on.",
)
ASK_NAME_A = (
    "C:May I know your name, please? || K:My name is {caller}.",
    "C:Who am I speaking with? || K:I am {caller}.",
    "C:Can I have your name? || K:You can call me {caller}.",
    "C:Before we continue, what is your name? || K:{Caller}.",
    "C:And your name, please? || K:My name is {caller}, I am the one who is calling.",
)
OFFICER_A = (
    "C:Our {officer_role}, {officer}, will call you [tomorrow|within two days].",
    "C:I am giving this case to {officer}, our {officer_role} in {loc_short}.",
    "C:{Officer} from our office will follow up with you. || K:Thank you.",
    "C:You will get a call from {officer}, the {officer_role} who covers {loc_short}.",
    "C:If {officer} does not call you by Friday, please call us back. || K:Okay, I will.",
)
OFFICER_K = (
    "C:{Officer}, our {officer_role}, will come to see you.",
    "C:I am asking {officer} from our office to visit you. || K:Okay.",
    "C:Someone called {officer} will call you, {officer} works with us.",
)

# -- Facts, asked for or volunteered ----------------------------------------------------------
AGE_A = (
    "C:How old is {she}? || K:{She} is {age} years old.",
    "C:What is {her} age? || K:{Age}.",
    "C:And how old is {v}? || K:{She} is {age}.",
    "C:How old is the {child}? || K:{Age} years.",
    "C:Do you know {her} age? || K:{She} is about {age}, I am not very sure.",
    "C:How old is {v} now? || K:{She} turned {age} this year.",
    "K:{She} is only {age} years old.",
    "K:{V} is {age}, and {she} is in {std}.",
    "C:May I know the age of the {child}? || K:{Age}, {she} is in {std}.",
)
AGE_K = (
    "C:How old are you? || K:I am {age}[ years old|].",
    "C:How old are you? || K:{Age}.",
    "C:Can I know your age? || K:I am {age}, I am in {std}.",
    "C:And your age? || K:I am {age} years.",
    "K:I am only {age} years old.",
)
AGE_CONFIRM_A = (
    "C:So {she} is {age}, is that right? || K:Yes.",
    "C:You said {she} is {age}? || K:Yes, {age}.",
    "C:{Age} years old, okay.",
)
AGE_CONFIRM_K = (
    "C:So you are {age}, is that right? || K:Yes.",
    "C:You are {age}? || K:Yes, {age}.",
)
LOC_A = (
    "C:Where are you calling from? || K:I am in {loc}.",
    "C:Where does {v} live? || K:{She} lives in {loc}.",
    "C:Which district is this? || K:It is {loc}.",
    "C:Can you tell me the area? || K:We are in {loc}.",
    "C:And where is this happening? || K:In {loc}, near my home.",
    "C:Where does the family stay? || K:They stay in {loc}.",
    "K:This is happening in {loc}.",
    "C:Which place are you in? || K:I am calling from {loc}.",
)
LOC_K = (
    "C:Where do you live? || K:I live in {loc}.",
    "C:Where are you right now? || K:I am at home, in {loc}.",
    "C:Which place are you calling from? || K:From {loc}.",
    "K:We live in {loc}.",
    "C:Can you tell me where you stay? || K:In {loc}.",
)
LOC_MORE = (
    "C:Is that in {loc_short}? || K:Yes, {loc}.",
    "K:It is in {loc}, not far from the main road.",
    "C:So the family is in {loc}? || K:Yes.",
    "K:We moved there from {loc_other} last year.",
)
LM_HOME_A = (
    "C:Is there a place near the home that our officers can use to find it? || K:Yes, the house is near {lm_home}.",
    "C:How can someone find the home? || K:When you reach {lm_home}, ask anyone for {v}.",
    "C:Is there a well-known place near the house? || K:They stay behind {lm_home}.",
    "K:The house is opposite {lm_home}, the one with a blue gate.",
    "C:How do we find the family? || K:Just after {lm_home}, the third house on the left.",
    "K:It is near {lm_home}. Everybody there knows {v}.",
    "C:Any landmark near the home? || K:Yes, {lm_home}.",
    "K:If you come to {lm_home}, the house is just behind it.",
)
LM_HOME_K = (
    "C:Is there a place near your home that is well known? || K:Yes, we live near {lm_home}.",
    "K:Our house is behind {lm_home}.",
    "C:{if_perp_home}How can someone find your home? || K:When you reach {lm_home}, ask for the house of {perp}.",
    "C:Is there a landmark near your home? || K:Yes, {lm_home}.",
    "K:I am now hiding near {lm_home}.",
)
SCHOOL_A = (
    "C:Is {she} going to school? || K:Yes, {she} is in {std} at {lm_school}.",
    "C:Which school does {she} go to? || K:{Her} school is {lm_school}.",
    "K:{She} studies at {lm_school}, in {std}.",
    "C:Does {her} school know about this? || K:I do not think {lm_school} knows anything.",
    "K:{She} used to study at {lm_school}, but {she} has missed many days.",
)
SCHOOL_K = (
    "C:Do you go to school? || K:Yes, I am in {std} at {lm_school}.",
    "C:Which school are you in? || K:{lm_school}.",
    "K:I study at {lm_school}, but I have missed many days.",
)
CLINIC_A = (
    "C:Has {she} been taken to a health facility? || K:Yes, we took {her_o} to {lm_clinic} [yesterday|this morning].",
    "C:Please take {her_o} to {lm_clinic} for a check-up as soon as possible. || K:I will do that.",
    "K:{She} is now admitted at {lm_clinic}.",
    "C:Has a doctor seen {her_o}? || K:Yes, at {lm_clinic}, they gave {her_o} some medicine.",
    "C:Is there a health facility near you? || K:Yes, {lm_clinic} is not far.",
)
CLINIC_K = (
    "C:Is there a health facility near you? || K:Yes, {lm_clinic} is near our home.",
    "C:Have you been to a hospital? || K:No, but {lm_clinic} is not far from here.",
    "C:I would like you to go to {lm_clinic} so that a nurse can see you. || K:Okay.",
)
WORK_A = (
    "C:Where does {she} work? || K:At {lm_work}.",
    "K:You can find {her_o} at {lm_work} during the day.",
    "C:Where can our officers find {her_o} during the day? || K:{She} is always at {lm_work}.",
)
WORK_K = (
    "C:Where do you work? || K:At {lm_work}.",
    "K:During the day I am at {lm_work}.",
)
POLICE_A = (
    "C:Have you reported this to the police? || K:Yes, we went to {lm_police}, but nothing was done.",
    "C:Has anyone reported this? || K:I reported it at {lm_police} last week.",
    "K:We reported at {lm_police}, and they said they will follow up.",
    "C:If {she} is in danger tonight, take {her_o} to {lm_police}. || K:Okay, I will.",
)
POLICE_K = (
    "C:If you are in danger, go to {lm_police}. || K:It is far, but I know where it is.",
    "C:Do you know where {lm_police} is? || K:Yes, it is near our home.",
)
PHONE_A = (
    "C:[Can I have|May I get] a phone number [to reach you|we can use to follow up]? || K:[Yes, my|My] number is {ph}.",
    "C:Do you have a phone number? || K:Yes, it is {ph}.",
    "C:Which number can we call you on? || K:You can call me on {ph}.",
    "K:Please write down my number, {ph}.",
    "C:Can we reach you on this number? || K:Yes, {ph}.",
    "K:If you need more information, call me on {ph}.",
    "C:Please give me a number for follow up. || K:Use {ph}, that is my number.",
)
PHONE_K = (
    "C:Is there a number we can call you on? || K:You can call me on {ph}.",
    "C:Do you have a phone? || K:I am using a phone from the shop, {ph}.",
    "C:Can we call you back? || K:Yes, on {ph}, but only in the afternoon.",
    "K:This is the number I am using, {ph}.",
)
READBACK = (
    "C:Let me repeat, {ph_again}, is that correct? || K:Yes, that is correct.",
    "C:So that is {ph_again}? || K:Yes.",
    "C:I have written {ph_again}. || K:Yes, that one.",
    "C:Just to confirm, the number is {ph_again}? || K:Yes, that is it.",
)
PHONE2 = (
    "K:You can also call {rel} on {ph2}.",
    "K:Another number you can use is {ph2}, it belongs to {rel}.",
    "C:Is there another number? || K:Yes, {ph2}.",
)

# -- The perpetrator --------------------------------------------------------------------------
PERP_NAME_A = (
    "C:Do you know the name of {perp}? || K:Yes, {p_his} name is {pname}.",
    "C:What is the name of {perp}? || K:{P_his} name is {pname}.",
    "K:{P_his} name is {pname}.",
    "C:Can you tell me who is doing this? || K:It is {perp}, {pname}.",
)
PERP_NAME_K = (
    "C:What is the name of {perp}? || K:{P_his} name is {pname}.",
    "C:Do you know the full name of {perp}? || K:Yes, {pname}.",
)
PERP_WHERE_A = (
    "C:Where <is|are> {perp} now? || K:{P_he} <is|are> at home right now.",
    "C:{if_perp_adult}Where <is|are> {perp} at the moment? || K:{P_he} went to the bar and will come back at night.",
    "C:{if_perp_home}<Does|Do> {perp} still live with {v}? || K:Yes, they are in the same house.",
    "K:{if_perp_home}{Perp} <is|are> still there, and nobody has said anything.",
    "C:<Is|Are> {perp} aware that you are calling? || K:No, please do not tell {p_him}.",
    "K:{if_perp_adult}Everybody fears {perp}, that is the problem.",
)
PERP_WHERE_K = (
    "C:{if_perp_home}Where <is|are> {perp} now? || K:{P_he} <is|are> in the next room.",
    "C:<Does|Do> {perp} know you are calling? || K:No, please do not tell {p_him}.",
    "K:{if_perp_home}{Perp} will be back in the evening.",
    "C:{if_perp_home}Are you alone with {perp} at home? || K:Most of the time, yes.",
)

# -- Distress ---------------------------------------------------------------------------------
DISTRESS_A = (
    "K:{She} is always {dis} and does not play with other children.",
    "K:{She} looks very {dis} these days.",
    "K:{She} told me {she} feels {dis}.",
    "K:I think {she} is suffering from {dis_n}.",
    "K:{She} has signs of {dis_n} and does not eat well.",
    "C:How is {v} feeling now? || K:{She} is very {dis}.",
    "C:How is the {child} coping? || K:Not well, {she} is {dis} and cries a lot.",
    "K:{V} has become {dis}, {she} sits alone the whole day.",
)
DISTRESS_K = (
    "K:I feel {dis} all the time.",
    "K:I am so {dis}, sometimes I think of running away.",
    "K:I think I have {dis_n}.",
    "C:How are you feeling now? || K:I am {dis}.",
    "K:Every night I cry because I feel {dis}.",
    "C:How do you feel about all this? || K:I feel {dis} and I cannot sleep.",
)
DISTRESS_C_A = (
    "C:It sounds like {v} may be dealing with {dis_n}. We can link {her_o} with a counsellor.",
    "C:{V} needs someone to talk to when {she} feels {dis}. Please stay close to {her_o}.",
    "C:We will make sure {she} gets help for the {dis_n}.",
)
DISTRESS_C_K = (
    "C:It is okay to feel {dis}. You are not alone.",
    "C:Many children feel {dis} after what you went through. We are here for you.",
    "C:Thank you for telling me that you feel {dis}. Talking about it is the first step.",
)

# -- Extras: more detail, people, time, safety (used to reach the planned length) --------------
LIVING_A = (
    "C:Who does {v} live with? || K:{She} lives with {her} {rel_role}, {rel}.",
    "C:Is there any relative who can take care of {her_o}? || K:Yes, {her} {rel_role}, {rel}.",
    "K:{Her} {rel_role} {rel} can take {her_o} for some time.",
    "C:Who else is in the home? || K:{Her} {rel_role}, {rel}, but {rel} is old and sick.",
    "K:{V} has been staying with {her} {rel_role}, {rel}, since last year.",
)
LIVING_K = (
    "C:Who do you live with? || K:I live with my {rel_role}, {rel}.",
    "C:Is there an adult you trust? || K:Yes, my {rel_role} {rel}.",
    "K:My {rel_role}, {rel}, is kind to me, but {rel} lives far away.",
    "C:Can you go to {rel}? || K:Maybe, {rel} is my {rel_role}.",
)
# A relative who is not the perpetrator, unnamed: kinship words are not always PERPETRATOR.
OTHER_KIN_A = (
    "K:{Her} {other_kin} is also very worried about {her_o}.",
    "K:{Her} {other_kin} works in town and rarely comes home.",
    "C:Does {her} {other_kin} know about this? || K:Yes, but {her} {other_kin} is afraid to act.",
    "K:{Her} {other_kin} lives in {loc_other} and does not know what is happening.",
    "C:Can {her} {other_kin} help? || K:Maybe, {her} {other_kin} is a kind person.",
    "K:I called {her} {other_kin} yesterday, but nobody picked up.",
)
OTHER_KIN_K = (
    "K:My {other_kin} is in {loc_other}, and I have not told anyone there.",
    "C:Does your {other_kin} know? || K:No, my {other_kin} lives far away.",
    "K:My {other_kin} is kind to me, but {other_kin_pron} cannot do anything.",
    "C:Is there anyone in the family you trust? || K:My {other_kin}, but we rarely talk.",
)
# Hard negatives: role and kinship words for people who help, not harm (never PERPETRATOR),
# and numbers that are neither ages nor phone numbers.
SUPPORT_A = (
    "K:{Her} {helper} is the one who asked me to call you.",
    "K:I have already spoken to {her} {helper}, who wants to help.",
    "C:Is there an adult {she} trusts at home? || K:Yes, {her} {helper} is kind to {her_o}.",
    "K:{Her} {helper} brought {her_o} to stay with us for a while.",
)
SUPPORT_K = (
    "K:My {helper} is the one who told me to call this number.",
    "K:My {helper} helps me with my homework in the evenings.",
    "C:Is there an adult you trust? || K:Yes, my {helper}. My {helper} listens to me.",
    "K:I stay with my {helper} on weekends, and there I feel safe.",
    "K:My {helper} knows that I am calling you today.",
)
NUMBERS_A = (
    "K:It has happened {num} times that I know of.",
    "K:{She} walks {num} kilometres to school every day.",
    "K:There are {num} children in that house.",
    "K:{Perp} <gives|give> {her_o} {money} so that {she} keeps quiet.",
    "K:The school fees are {money} a term, and nobody pays them.",
)
NUMBERS_K = (
    "K:It has happened {num} times [this month|since January|this term].",
    "K:I walk {num} kilometres to school every day.",
    "K:We are {num} children at home.",
    "K:{Perp} gave me {money} and told me not to tell anyone.",
    "K:The bus fare is {money}, and I do not have it.",
)
WITNESS_A = (
    "C:Has anyone else seen this? || K:Yes, the {wit_role}, {wit}, saw it.",
    "K:I told the {wit_role}, {wit}, but nothing was done.",
    "C:Does anyone else know? || K:Our {wit_role}, {wit}, knows about it.",
    "K:{Wit}, our {wit_role}, also saw what happened.",
)
WITNESS_K = (
    "C:Have you told anyone? || K:I told {wit}, the {wit_role}.",
    "K:Only {wit} knows, the {wit_role}.",
)
TIMELINE_A = (
    "C:When did this start? || K:It started {when}.",
    "C:How long has this been going on? || K:For {dur} now.",
    "C:When was the last time it happened? || K:It was {when}.",
    "K:This has been going on for {dur}.",
    "C:Is this the first time? || K:No, it has been happening for {dur}.",
)
TIMELINE_K = (
    "C:When did this start? || K:{When}.",
    "C:How long has this been happening? || K:For {dur}.",
    "K:It started {when}.",
    "C:When did it last happen? || K:It was {when}.",
)
WORRY_A = (
    "K:I am worried that {perp} will find out that I called.",
    "K:Please do not tell anyone that I called, {perp} can be dangerous.",
    "K:The whole village knows, but nobody wants to help {v}.",
    "K:I cannot sleep because of what is happening to {v}.",
    "K:I am afraid for {her} life.",
    "K:I tried to talk to the family, but they chased me away.",
    "K:Please help {v}, {she} is just a child.",
)
WORRY_K = (
    "K:I am afraid to go back home.",
    "K:Please do not tell {perp} that I called.",
    "K:I do not want anyone to know that I called.",
    "K:If they find out that I called, they will punish me.",
)
SAFETY_A = (
    "C:Is {she} safe right now? || K:For now, yes, {she} is with me.",
    "C:Is {v} safe tonight? || K:I am not sure, {she} is at home.",
    "C:Where is {v} at the moment? || K:{She} is sleeping at my place.",
    "C:{if_violent}Is {she} hurt right now? || K:{She} has some wounds, but {she} can walk.",
)
SAFETY_K = (
    "C:Are you safe right now? || K:Yes, I am at a friend's house.",
    "C:{if_violent}Are you hurt? || K:A little, but I can walk.",
    "C:Are you safe where you are now? || K:I think so, for now.",
    "C:Is there somewhere safe you can go tonight? || K:Maybe to my friend's place.",
)
REASSURE_C_A = (
    "C:Everything you tell us is confidential.",
    "C:We will not tell anyone that you called.",
    "C:{V} is not to blame for what is happening.",
    "C:You have done a good thing for {v} today.",
    "C:We will do everything we can to protect {her_o}.",
    "C:We are going to follow this up, {v} will get help.",
)
REASSURE_C_K = (
    "C:You are a very brave {child} for calling.",
    "C:None of this is your fault.",
    "C:Nobody will know that you called us.",
    "C:We are going to help you, a {child} your age should be safe.",
    "C:You are a strong {child}.",
    "C:Thank you for trusting us, you are a strong {child}.",
)
RECAP_A = (
    "C:Let me confirm what you have told me: {v}, {age} years old, in {loc}. Is that right? || K:Yes, that is right.",
    "C:So, {v} is {age}, and {perp} <is|are> the one hurting {her_o}. Is that correct? || K:Yes.",
    "C:I have written that {v} lives in {loc}, near {lm_home}. || K:Yes, that is correct.",
    "C:So the {child} is {v}, {age}, and the problem is {inc}. || K:Yes, that is it.",
)
RECAP_K = (
    "C:Let me confirm: your name is {v}, you are {age}, and you live in {loc}. || K:Yes.",
    "C:So {perp} <is|are> the one doing this to you? || K:Yes.",
    "C:You are {v}, and you live near {lm_home}, right? || K:Yes, that is right.",
)

INC2 = (
    "K:All this has also led to {inc2}.", "K:There is also {inc2} in this case.",
    "C:I am also noting {inc2} in this case.", "C:So there is also {inc2} here.",
)

# -- Referral and closing ---------------------------------------------------------------------
REFERRAL_A = (
    "C:I will [share|forward] this case to the social welfare officer in {loc_short}, [who will visit the family|and they will follow up].",
    "C:We will inform the police gender desk in {loc_short} so that they can act.",
    "C:Our team will link {v} with a social worker in {loc_short}.",
    "C:Please keep {v} away from {perp} until the officers arrive.",
    "C:For now, make sure {she} is safe and does not stay alone with {perp}.",
    "C:A case officer from {loc_short} will call you within two days.",
    "C:We will refer {v} for counselling and medical support.",
    "C:I am opening a case for {v}, and our partners in {loc_short} will follow up.",
)
REFERRAL_K = (
    "C:I will ask a social worker in {loc_short} to come and see you.",
    "C:If you are in danger, go to a trusted neighbour or call us back.",
    "C:We will talk to the social welfare office in {loc_short} so that they can help you.",
    "C:Please try to stay away from {perp} until help comes.",
    "C:I am going to open a case for you, and someone will follow up.",
)
CLOSING_A = (
    "K:Thank you [very much|so much][, {couns}|]. || C:Thank you for calling, {caller}. We will follow up on {v}'s case.",
    "C:Thank you {caller} for caring about {v}. Call us again any time. || K:Thank you, goodbye.",
    "C:Is there anything else you would like to tell me? || K:No, that is all. Thank you. || C:Thank you for calling the child helpline. Goodbye.",
    "C:Thank you, {caller}. If anything changes, please call us back. || K:I will. Thank you, {couns}.",
    "K:Thank you for listening to me. || C:You are welcome. Take care, and thank you for standing up for {v}.",
    "C:We will keep in touch, {caller}. Goodbye. || K:Goodbye.",
    "K:Thank you, I feel better now. || C:Thank you for calling, we will follow up. Goodbye.",
)
CLOSING_K = (
    "C:{V}, you did the right thing by calling. You can call this number any time, it is free. || K:Thank you.",
    "C:You are a brave {child}. We will help you. || K:Thank you, madam.",
    "K:Thank you {couns}. || C:Take care. Goodbye.",
    "C:Call us any time you need to talk. You are only {age}, you are not alone. || K:Okay. Thank you.",
    "K:Thank you for listening to me. || C:Take care of yourself. We will call you.",
)
