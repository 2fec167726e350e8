"""Real places of Tanzania, Kenya and Uganda, and landmark patterns built on them.

AREAS maps each locale to {higher unit: (lower units...)}: Tanzanian regions and their
districts, Kenyan counties and sub-counties/towns, Ugandan districts and towns/sub-counties, so
"lower, higher" is the "district, region" form LABELS.md asks for as one LOCATION span. Names
that are also English words ("Same", "Mafia", "Soy", "Gem") and names with apostrophes are left
out: an uncased model cannot tell them from the word, and a span must cover whole words.
NEIGHBOURHOODS are villages/wards/estates, used both as LOCATION and inside landmark names
(never both in one transcript, so the completeness rule holds).
"""

from __future__ import annotations

AREAS: dict[str, dict[str, tuple[str, ...]]] = {
    "tz": {
        "Dar es Salaam": ("Ilala", "Kinondoni", "Temeke", "Ubungo", "Kigamboni"),
        # Zanzibar's five regions (Unguja and Pemba) and their districts.
        "Mjini Magharibi": ("Mjini", "Magharibi A", "Magharibi B"),
        "Kaskazini Unguja": ("Kaskazini A", "Kaskazini B"),
        "Kusini Unguja": ("Kati", "Kusini"),
        "Kaskazini Pemba": ("Wete", "Micheweni"),
        "Kusini Pemba": ("Chake Chake", "Mkoani"),
        "Dodoma": ("Kondoa", "Mpwapwa", "Kongwa", "Chamwino", "Bahi", "Chemba"),
        "Arusha": ("Arumeru", "Karatu", "Monduli", "Longido", "Ngorongoro"),
        "Kilimanjaro": ("Moshi", "Hai", "Rombo", "Mwanga", "Siha"),
        "Tanga": ("Korogwe", "Lushoto", "Muheza", "Pangani", "Handeni", "Kilindi", "Mkinga"),
        "Morogoro": ("Kilosa", "Kilombero", "Ulanga", "Mvomero", "Gairo", "Malinyi", "Ifakara"),
        "Pwani": ("Bagamoyo", "Kibaha", "Kisarawe", "Mkuranga", "Rufiji", "Kibiti"),
        "Lindi": ("Kilwa", "Liwale", "Nachingwea", "Ruangwa"),
        "Mtwara": ("Masasi", "Newala", "Tandahimba", "Nanyumbu"),
        "Ruvuma": ("Songea", "Tunduru", "Mbinga", "Namtumbo", "Nyasa"),
        "Iringa": ("Mufindi", "Kilolo", "Mafinga"),
        "Njombe": ("Makete", "Ludewa", "Makambako"),
        "Mbeya": ("Chunya", "Kyela", "Rungwe", "Mbarali"),
        "Songwe": ("Mbozi", "Ileje", "Momba", "Tunduma"),
        "Rukwa": ("Sumbawanga", "Nkasi", "Kalambo"),
        "Katavi": ("Mpanda", "Mlele"),
        "Kigoma": ("Kasulu", "Kibondo", "Kakonko", "Uvinza", "Buhigwe"),
        "Shinyanga": ("Kahama", "Kishapu", "Ushetu"),
        "Simiyu": ("Bariadi", "Maswa", "Meatu", "Itilima", "Busega"),
        "Tabora": ("Nzega", "Igunga", "Urambo", "Sikonge", "Uyui", "Kaliua"),
        "Singida": ("Mkalama", "Manyoni", "Iramba", "Ikungi"),
        "Manyara": ("Babati", "Mbulu", "Hanang", "Kiteto", "Simanjiro"),
        "Mwanza": ("Ilemela", "Nyamagana", "Sengerema", "Magu", "Kwimba", "Misungwi", "Ukerewe"),
        "Geita": ("Chato", "Bukombe", "Mbogwe"),
        "Kagera": ("Bukoba", "Karagwe", "Muleba", "Ngara", "Biharamulo", "Kyerwa", "Missenyi"),
        "Mara": ("Musoma", "Tarime", "Serengeti", "Bunda", "Rorya", "Butiama"),
        "Pemba": ("Wete", "Micheweni", "Chake Chake", "Mkoani"),
    },
    "ke": {
        "Nairobi": ("Embakasi", "Kasarani", "Dagoretti", "Langata", "Makadara", "Ruaraka"),
        "Mombasa": ("Likoni", "Kisauni", "Changamwe", "Nyali", "Mvita"),
        "Kisumu": ("Nyando", "Muhoroni", "Seme", "Ahero", "Nyakach"),
        "Kakamega": ("Mumias", "Malava", "Lurambi", "Butere", "Shinyalu"),
        "Bungoma": ("Webuye", "Kimilili", "Sirisia", "Tongaren"),
        "Kiambu": ("Thika", "Ruiru", "Githunguri", "Limuru", "Gatundu", "Juja"),
        "Nakuru": ("Naivasha", "Molo", "Njoro", "Gilgil", "Subukia"),
        "Machakos": ("Kangundo", "Mavoko", "Matungulu", "Mwala", "Masinga"),
        "Kilifi": ("Malindi", "Kaloleni", "Rabai", "Ganze", "Mtwapa"),
        "Kwale": ("Msambweni", "Kinango", "Matuga", "Ukunda"),
        "Uasin Gishu": ("Eldoret", "Kesses", "Moiben", "Kapseret"),
        "Kisii": ("Bobasi", "Bomachoge", "Nyaribari", "Kitutu"),
        "Homa Bay": ("Rangwe", "Ndhiwa", "Mbita", "Kabondo", "Oyugis"),
        "Migori": ("Rongo", "Awendo", "Uriri", "Nyatike", "Kuria"),
        "Siaya": ("Bondo", "Ugunja", "Alego", "Rarieda", "Yala"),
        "Kericho": ("Londiani", "Kipkelion", "Belgut", "Bureti"),
        "Meru": ("Imenti", "Tigania", "Igembe", "Buuri", "Maua"),
        "Kitui": ("Mwingi", "Mutomo", "Kyuso", "Ikutha"),
        "Turkana": ("Lodwar", "Kakuma", "Lokichoggio", "Lokichar"),
        "Garissa": ("Dadaab", "Fafi", "Ijara", "Balambala"),
        "Kajiado": ("Kitengela", "Ngong", "Loitokitok", "Isinya", "Namanga"),
        "Nyeri": ("Othaya", "Mukurweini", "Tetu", "Karatina"),
        "Busia": ("Teso", "Nambale", "Butula", "Malaba", "Funyula"),
        "Vihiga": ("Luanda", "Hamisi", "Sabatia", "Emuhaya"),
        "Trans Nzoia": ("Kitale", "Kiminini", "Endebess", "Saboti"),
        "Narok": ("Kilgoris", "Ntulele", "Nairage Enkare"),
        "Laikipia": ("Nanyuki", "Rumuruti", "Nyahururu"),
        "Embu": ("Runyenjes", "Siakago", "Manyatta"),
        "Makueni": ("Wote", "Mbooni", "Kibwezi", "Kilome"),
        "Nyamira": ("Borabu", "Masaba"),
    },
    "ug": {
        "Wakiso": ("Nansana", "Kira", "Entebbe", "Kasangati", "Busukuma", "Namayumba"),
        "Kampala": ("Kawempe", "Nakawa", "Makindye", "Rubaga"),
        "Mukono": ("Seeta", "Nakifuma", "Kyampisi", "Goma"),
        "Jinja": ("Bugembe", "Buwenge", "Budondo", "Mafubira"),
        "Mbale": ("Nakaloke", "Bungokho", "Namanyonyi"),
        "Gulu": ("Laroo", "Bardege", "Unyama", "Awach", "Bobi"),
        "Lira": ("Adekokwok", "Ogur", "Amach"),
        "Mbarara": ("Kakoba", "Bwizibwera", "Rwanyamahembe", "Kakiika"),
        "Kabale": ("Kamuganguzi", "Kitumba", "Kyanamira"),
        "Arua": ("Vurra", "Ayivu", "Pajulu"),
        "Masaka": ("Nyendo", "Kimaanya", "Bukakata", "Kyanamukaaka"),
        "Hoima": ("Kigorobya", "Buhimba", "Kyabigambire"),
        "Soroti": ("Arapai", "Gweri", "Asuret"),
        "Tororo": ("Mukuju", "Nagongera", "Mulanda", "Rubongi"),
        "Iganga": ("Nakalama", "Bulamagi", "Nambale"),
        "Kasese": ("Bwera", "Hima", "Kisinga", "Katwe"),
        "Luwero": ("Wobulenzi", "Bombo", "Zirobwe", "Kikyusa"),
        "Mityana": ("Busunju", "Sekanyonyi", "Kalangaalo"),
        "Mubende": ("Kassanda", "Kiyuni", "Madudu"),
        "Kitgum": ("Mucwini", "Labongo", "Omiya Anyima"),
        "Pader": ("Pajule", "Atanga", "Lapul"),
        "Apac": ("Akokoro", "Chegere", "Ibuje"),
        "Bushenyi": ("Ishaka", "Kyeizooba", "Nyabubare"),
        "Ntungamo": ("Rubaare", "Itojo", "Rwashamaire"),
        "Kisoro": ("Bunagana", "Nyakabande", "Chahi"),
        "Kamuli": ("Namwendwa", "Nabwigulu", "Balawoli"),
        "Masindi": ("Kigumba", "Bwijanga", "Pakanyi"),
        "Kayunga": ("Bbaale", "Galiraya", "Kangulumira"),
        "Moroto": ("Nadunget", "Katikekile", "Rupa"),
        "Koboko": ("Lobule", "Ludara", "Midia"),
    },
}

COUNTRIES = {"tz": "Tanzania", "ke": "Kenya", "ug": "Uganda"}

# What the higher unit is called in each country ("Dodoma region", "Kisumu county",
# "Gulu district"); the generic word stays outside the LOCATION span.
HIGHER_WORD = {"tz": "region", "ke": "county", "ug": "district"}
LOWER_WORD = {"tz": "district", "ke": "sub-county", "ug": "sub-county"}

# Villages, wards and estates. Outside "name, name" forms the words "village"/"ward"/"estate"
# stay outside the span.
NEIGHBOURHOODS: dict[str, tuple[str, ...]] = {
    "tz": (
        "Majengo", "Kibaoni", "Mbuyuni", "Mwembeni", "Msasani", "Kilimahewa", "Buguruni", "Tandale",
        "Manzese", "Mbagala", "Chanika", "Kimara", "Sinza", "Tegeta", "Mabibo", "Kigogo",
        "Vingunguti", "Nzuguni", "Kisasa", "Mkwajuni", "Mwananyamala", "Makongo", "Ngarenaro",
        "Sombetini", "Kijenge", "Kiboriloni", "Pasua", "Mjimwema", "Igoma", "Buhongwa", "Nyakato",
        "Mabatini", "Kirumba", "Mtoni", "Keko", "Kurasini", "Yombo", "Kinyerezi", "Pugu", "Goba",
        "Mbezi", "Kwembe", "Kibamba", "Kitunda", "Kiwalani", "Mzinga", "Ilazo", "Nkuhungu", "Mbwawa", "Mailimoja", "Msoga", "Mapinga", "Zinga", "Kerege",
        "Mwakaleli", "Itiji", "Isanga", "Iyunga", "Uyole", "Ilembo", "Kasamwa", "Nyankumbu",
        "Kalangalala", "Bugarika", "Mkolani", "Nyegezi", "Kishiri", "Kahororo", "Kashai", "Bakoba",
        "Kitangili", "Nyasubi", "Ngokolo", "Lubaga", "Isevya", "Itetemia", ),
    "ke": (
        "Kibera", "Kawangware", "Majengo", "Nyalenda", "Obunga", "Kondele", "Huruma",
        "Korogocho", "Githurai", "Kangemi", "Mlolongo", "Bamburi", "Mishomoroni", "Kongowea",
        "Mathare", "Kayole", "Dandora", "Mukuru", "Kariobangi", "Umoja", "Zimmerman", "Kahawa", "Mwiki", "Ruai", "Utawala", "Rongai", "Kiserian", "Kiamaiko",
        "Migosi", "Nyamasaria", "Rabuor", "Amalemba", "Shimanyiro",
        "Khayega", "Kaptembwo", "Kivumbini", "Bondeni", "Langas", "Kamukunji", "Munyaka", "Kapsoya", "Frere Town", "Magongo", "Mikindani",
        "Jomvu", "Bombolulu", "Mtopanga", "Ziwani", "Kilimani", "Gatina", "Muthurwa", "Kiandutu", "Makongeni", "Gachororo", "Ndarugo", "Kalimoni",
    ),
    "ug": (
        "Kisenyi", "Kasokoso", "Kireka", "Namuwongo", "Kabalagala", "Kansanga", "Nateete", "Ndeeba",
        "Kalerwe", "Mulago", "Wandegeya", "Kamwokya", "Nakulabye", "Kyebando", "Lacor", "Pece",
        "Layibi", "Ojwina", "Bwaise", "Katanga", "Kazo", "Kawaala", "Kasubi", "Mengo", "Kibuye",
        "Kabowa", "Najjanankumbi", "Lubowa", "Seguku", "Bweyogerere", "Kiwatule", "Ntinda",
        "Kyaliwajjala", "Namugongo", "Gayaza", "Matugga", "Kawanda", "Nabweru",
        "Ganda", "Kazinga", "Masese", "Walukuba", "Mpumudde", "Kimaka", "Namakwekwe", "Nkoma",
        "Ruharo", "Nyamitanga", "Katete", "Ororo", "Kirombe", "Oditel", "Ajia", "Awindiri", "Mvara", ),
}

# Big towns and abroad, for trafficking and relocation stories ("took her to Dar es Salaam").
CITIES = {
    "tz": ("Dar es Salaam", "Arusha", "Mwanza", "Zanzibar", "Dodoma", "Mbeya", "Nairobi", "Oman", "Dubai"),
    "ke": ("Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Saudi Arabia", "Dubai", "Kampala", "Qatar"),
    "ug": ("Kampala", "Jinja", "Entebbe", "Nairobi", "Juba", "Saudi Arabia", "Dubai", "Gulu", "Mbarara"),
}

# Landmark patterns by kind. {P} is a neighbourhood name, {S} a saint, {M} a mosque name.
# "the ..." entries are specific unnamed places (LABELS.md: "the police station").
LANDMARKS: dict[str, dict[str, tuple[str, ...]]] = {
    "tz": {
        "home": ("{P} bus stand", "{P} market", "{P} mosque", "Masjid {M}", "{P} Lutheran Church",
                 "{P} Catholic Church", "{P} Anglican Church", "{P} Moravian Church", "{P} police post",
                 "{P} village office", "{P} ward office", "{P} petrol station", "{P} football ground",
                 "{P} water tank", "{P} milling machine", "{P} dala dala stop",
                 "the police station", "the village office", "the ward office", "the main market",
                 "the bus stand", "the big mosque"),
        "school": ("{P} Primary School", "{P} Secondary School", "St. {S} Primary School",
                   "St. {S} Secondary School", "{P} English Medium School", "Madrasa {M}"),
        "clinic": ("{P} Health Centre", "{P} Dispensary", "St. {S} Hospital", "{P} Hospital",
                   "the district hospital", "the health centre", "the dispensary"),
        "work": ("{P} market", "{P} bus stand", "{P} gold mine", "{P} quarry", "{P} fish market",
                 "{P} landing site", "{P} rice farms", "the main market", "the bus stand"),

        "police": ("{P} police post", "{P} police station", "the police station", "the central police station"),
    },
    "ke": {
        "home": ("{P} stage", "{P} market", "{P} chief's camp", "{P} police post", "{P} AIC Church",
                 "{P} PCEA Church", "{P} Catholic Church", "{P} mosque", "Masjid {M}",
                 "{P} shopping centre", "{P} social hall", "{P} borehole", "{P} posho mill",
                 "the chief's camp", "the police station", "the matatu stage", "the shopping centre"),
        "school": ("{P} Primary School", "{P} Secondary School", "St. {S} Primary School",
                   "St. {S} Girls Secondary School", "{P} Comprehensive School", "{P} Academy"),
        "clinic": ("{P} Health Centre", "{P} Dispensary", "St. {S} Mission Hospital",
                   "{P} Sub-County Hospital", "the county hospital", "the health centre"),
        "work": ("{P} market", "{P} stage", "{P} quarry", "{P} tea estate", "{P} sand harvesting site",
                 "{P} fish landing beach", "the matatu stage", "the open air market"),

        "police": ("{P} police post", "{P} police station", "the police station", "{P} chief's camp"),
    },
    "ug": {
        "home": ("{P} taxi park", "{P} trading centre", "{P} market", "{P} Church of Uganda",
                 "{P} Catholic Parish", "{P} mosque", "Masjid {M}", "{P} police post",
                 "{P} boda boda stage", "{P} LC1 office", "{P} borehole", "{P} playground",
                 "the trading centre", "the police station", "the taxi park", "the sub-county offices"),
        "school": ("{P} Primary School", "{P} Secondary School", "St. {S} Primary School",
                   "St. {S} College", "{P} Seed Secondary School", "{P} Islamic Primary School"),
        "clinic": ("{P} Health Centre III", "{P} Health Centre IV", "St. {S} Hospital",
                   "{P} Health Centre", "the health centre", "the regional referral hospital"),
        "work": ("{P} market", "{P} taxi park", "{P} stone quarry", "{P} sugarcane plantation",
                 "{P} landing site", "{P} brick site", "the taxi park", "the central market"),

        "police": ("{P} police post", "{P} police station", "the police station", "the central police station"),
    },
}
SAINTS = ("Joseph", "Mary's", "Peter's", "Paul's", "Francis", "Kizito", "Theresa", "Anne's", "Jude",
          "Augustine", "Charles Lwanga", "Monica", "Cecilia", "Catherine", "Benedict", "Patrick's",
          "Andrew's", "Gabriel", "Clare", "Matia Mulumba", "Luke", "Mark's", "Thomas", "Elizabeth")
MOSQUES = ("Noor", "Taqwa", "Rahma", "Ijumaa", "Mtoro", "Quba", "Salaam", "Istiqama", "Hidaya",
           "Riyadha", "Answar", "Tawheed")
