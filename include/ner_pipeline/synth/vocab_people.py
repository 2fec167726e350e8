"""Person names common in Tanzania, Kenya and Uganda (curated; Faker's sw/en_KE lists carry
Swahili common words such as "Angalia" as names, so the project keeps its own).

Each locale has female and male first names and surnames; SHARED_* are Christian, Muslim and
English-word names heard in all three. Names with apostrophes or hyphens are left out so every
name is one or two plain words. Tuples keep the order fixed: sampling depends on it.
"""

from __future__ import annotations

TZ_FEMALE = (
    "Rehema", "Neema", "Zawadi", "Mwajuma", "Mwanaisha", "Halima", "Zainabu", "Mariamu", "Asha",
    "Saida", "Salma", "Fatuma", "Zuhura", "Rukia", "Mwanahawa", "Tatu", "Mwanahamisi", "Hadija",
    "Sabina", "Upendo", "Furaha", "Pendo", "Tumaini", "Imani", "Rahma", "Nasra", "Naima", "Latifa",
    "Jamila", "Husna", "Mwasiti", "Subira", "Shani", "Nuru", "Happyness", "Witness", "Lightness",
    "Magdalena", "Modesta", "Theresia", "Felista", "Scholastica", "Anastazia", "Gaudensia", "Prisca",
    "Editha", "Jesca", "Salome", "Rebeka", "Pili", "Mwantumu", "Mwanaidi", "Zuwena", "Riziki",
    "Winfrida", "Janeth", "Anitha", "Doto", "Kulwa", "Shukuru", "Mwamini", "Sikudhani", "Elizabeth",
    "Consolata", "Restituta", "Getruda", "Leticia", "Agnes", "Veronika", "Anyes", "Bahati", "Mwanne",
    "Zaituni", "Mwanajuma", "Mwanamisi", "Tabu", "Siti", "Sharifa", "Nasimiyu", "Paulina", "Martha",
)
TZ_MALE = (
    "Juma", "Hassani", "Hamisi", "Ally", "Salum", "Rashidi", "Omari", "Bakari", "Shabani", "Ramadhani",
    "Mussa", "Athumani", "Issa", "Abdallah", "Iddi", "Selemani", "Hamza", "Yusuph", "Ibrahimu",
    "Mohamedi", "Saidi", "Khamis", "Mrisho", "Mwinyi", "Baraka", "Amani", "Elia", "Godfrey", "Daudi",
    "Petro", "Yohana", "Paulo", "Erasto", "Zakaria", "Festo", "Deogratias", "Hussein", "Kassim",
    "Faraji", "Jabiri", "Kombo", "Makame", "Mbaraka", "Nassoro", "Fadhili", "Sospeter", "Ezekiel",
    "Evarist", "Cosmas", "Wilbert", "Fredrick", "Brayson", "Rajabu", "Mwita", "Chacha", "Marwa",
    "Magesa", "Makoye", "Shija", "Masanja", "Maduhu", "Nkwabi", "Mashaka", "Zuberi", "Tumaini",
    "Nuhu", "Haruna", "Abeid", "Kheri", "Msafiri", "Mosha", "Shadrack", "Elisha", "Ombeni",
    "Erick", "Jumanne", "Alhaji", "Ismail", "Mpoki", "Anyelwisye", "Atupele", "Gwakisa",
)
TZ_SURNAMES = (
    "Mwakyusa", "Mwakalinga", "Mwamba", "Lyimo", "Mushi", "Massawe", "Kimaro", "Mrema", "Shirima",
    "Temba", "Swai", "Minja", "Mbwana", "Mfinanga", "Mapunda", "Ngowi", "Komba", "Mlay", "Urassa",
    "Kiwelu", "Msuya", "Mollel", "Laizer", "Sanga", "Kihwele", "Mwasumbi", "Chande", "Kisanga",
    "Mashaka", "Njau", "Mtei", "Silayo", "Tarimo", "Kessy", "Malisa", "Mbise", "Pallangyo", "Nnko",
    "Mbwambo", "Kaaya", "Kavishe", "Ndossi", "Lema", "Mwaipopo", "Mwakasege", "Kapinga", "Haule",
    "Ngonyani", "Nombo", "Salehe", "Mohamed", "Abdallah", "Hamisi", "Rashidi", "Mfaume", "Kitwana",
    "Mbonde", "Mponda", "Likwelile", "Nakitare", "Kisamo", "Mzava", "Shayo", "Moshiro", "Mwandu",
    "Magige", "Nyamhanga", "Wambura", "Mwikwabe", "Nyamuhanga", "Bulugu", "Kashindye", "Lutego",
    "Mbasha", "Kalinga", "Mwaluko", "Sichalwe", "Mwansasu", "Kyando", "Mwamakula", "Msigwa",
)

KE_FEMALE = (
    "Wanjiru", "Wambui", "Njeri", "Nyambura", "Wairimu", "Wanjiku", "Muthoni", "Achieng", "Atieno",
    "Akinyi", "Awino", "Adhiambo", "Anyango", "Apiyo", "Chebet", "Chepkoech", "Jepkosgei", "Jeptoo",
    "Cherono", "Chelimo", "Nafula", "Nekesa", "Naliaka", "Mwikali", "Mwende", "Ndinda", "Kavata",
    "Mutheu", "Kerubo", "Moraa", "Kwamboka", "Nyaboke", "Bonareri", "Cynthia", "Brenda", "Purity",
    "Caroline", "Winnie", "Beatrice", "Diana", "Velma", "Maureen", "Linet", "Everlyne", "Millicent",
    "Janet", "Vivian", "Stacy", "Mitchelle", "Sharon", "Lilian", "Emmaculate", "Pauline", "Jackline",
    "Dorcas", "Tabitha", "Wangari", "Waithera", "Wangui", "Nyokabi", "Makena", "Kendi", "Nkatha",
    "Gakii", "Kagendo", "Chepngetich", "Jebet", "Naserian", "Nashipai", "Halima", "Fatma",
    "Nasimiyu", "Khavetsa", "Ayuma", "Nanjala", "Kemunto", "Nyanchama",
)
KE_MALE = (
    "Otieno", "Ochieng", "Odhiambo", "Omondi", "Onyango", "Owino", "Okoth", "Kamau", "Mwangi",
    "Njoroge", "Kariuki", "Kimani", "Githinji", "Maina", "Mutua", "Musyoka", "Mwendwa", "Kiprop",
    "Kiprotich", "Kipchoge", "Kibet", "Cheruiyot", "Kiptoo", "Wafula", "Wekesa", "Barasa",
    "Nyongesa", "Makokha", "Onyancha", "Nyamweya", "Kevin", "Dennis", "Collins", "Victor", "Kelvin",
    "Felix", "Amos", "Elvis", "Evans", "Edwin", "Vincent", "Duncan", "Abdi", "Hassan", "Omar",
    "Wanyama", "Juma", "Kipkemboi", "Langat", "Ruto", "Korir", "Kipruto", "Muriuki", "Gitau",
    "Macharia", "Ndungu", "Kinyua", "Mugo", "Nzioka", "Kilonzo", "Mutiso", "Muthama", "Ogola",
    "Ouko", "Oduor", "Obura", "Ombati", "Nyakundi", "Ondieki", "Mokaya", "Lemayian", "Saitoti",
    "Kaberia", "Murithi", "Kirimi", "Mwiti", "Gitonga", "Shikuku", "Wasike",
)
KE_SURNAMES = (
    "Otieno", "Ochieng", "Odhiambo", "Omondi", "Onyango", "Owino", "Okoth", "Ouma", "Kamau", "Mwangi",
    "Njoroge", "Kariuki", "Kimani", "Githinji", "Maina", "Mutua", "Musyoka", "Kiprop", "Kiprotich",
    "Kibet", "Cheruiyot", "Kiptoo", "Wafula", "Wekesa", "Barasa", "Nyongesa", "Makokha", "Onyancha",
    "Nyamweya", "Wanyama", "Langat", "Korir", "Kipruto", "Muriuki", "Gitau", "Macharia", "Ndungu",
    "Kinyua", "Mugo", "Nzioka", "Kilonzo", "Mutiso", "Ogola", "Ouko", "Oduor", "Obura", "Ombati",
    "Nyakundi", "Ondieki", "Mokaya", "Wambua", "Kioko", "Mbithi", "Ndambuki", "Waweru", "Wachira",
    "Ngugi", "Kirui", "Koech", "Rotich", "Tanui", "Chepkwony", "Mutai", "Bett", "Kosgei",
    "Simiyu", "Khaemba", "Masinde", "Wanjala", "Namasaka", "Oyugi", "Ochola", "Opiyo", "Obiero",
    "Nyaga", "Njagi", "Mbugua", "Karanja", "Mureithi", "Kiarie", "Wainaina",
)

UG_FEMALE = (
    "Nakato", "Babirye", "Namubiru", "Nalwanga", "Nansubuga", "Nakimuli", "Namutebi", "Nabukenya",
    "Nakku", "Nalubega", "Nambi", "Nassali", "Atim", "Akello", "Apio", "Adong", "Aciro", "Lamunu",
    "Ayaa", "Kyomuhendo", "Kemigisha", "Ainembabazi", "Kobusingye", "Natukunda", "Ninsiima",
    "Kyarisiima", "Birungi", "Namatovu", "Nakalema", "Prossy", "Sylvia", "Harriet", "Juliet",
    "Annet", "Doreen", "Ritah", "Shamim", "Sumaya", "Nabirye", "Namuli", "Nankya", "Nampijja",
    "Nakiganda", "Kansiime", "Ahumuza", "Atuhaire", "Asiimwe", "Komugisha", "Tusiime", "Kyomugisha",
    "Auma", "Achan", "Acen", "Akot", "Ajok", "Amono", "Nakibuuka", "Mirembe", "Namakula", "Nantongo",
    "Gloria", "Peninah", "Resty", "Immaculate", "Oliver", "Hadijah", "Zulaika", "Rashida", "Sauda",
)
UG_MALE = (
    "Mugisha", "Tumwine", "Byaruhanga", "Twinomujuni", "Ahimbisibwe", "Musoke", "Ssempala", "Kato",
    "Wasswa", "Mukasa", "Ssekandi", "Lubega", "Kiggundu", "Ssebunya", "Kasozi", "Okello", "Opio",
    "Ocen", "Odongo", "Ojok", "Okot", "Oryema", "Onen", "Otim", "Kizza", "Muwanga", "Mutebi",
    "Nsubuga", "Walusimbi", "Kaweesa", "Ronald", "Isaac", "Ivan", "Julius", "Denis", "Geoffrey",
    "Sulaiman", "Hamidu", "Swaibu", "Hakim", "Arnold", "Herbert", "Tumusiime", "Mwesigwa",
    "Kamugisha", "Rwakaikara", "Byamukama", "Bwambale", "Masereka", "Kule", "Baluku", "Muhindo",
    "Okwir", "Olweny", "Ongom", "Obong", "Ekwaru", "Emuria", "Opolot", "Etyang", "Wamala",
    "Ssali", "Kyeyune", "Kibirige", "Semakula", "Bukenya", "Ssenyonga", "Kawuma", "Mulindwa",
)
UG_SURNAMES = (
    "Mugisha", "Tumwine", "Byaruhanga", "Twinomujuni", "Ahimbisibwe", "Musoke", "Ssempala", "Mukasa",
    "Ssekandi", "Lubega", "Kiggundu", "Ssebunya", "Kasozi", "Okello", "Opio", "Ocen", "Odongo",
    "Ojok", "Okot", "Oryema", "Onen", "Otim", "Muwanga", "Mutebi", "Nsubuga", "Walusimbi", "Kaweesa",
    "Mwesigwa", "Kamugisha", "Byamukama", "Bwambale", "Masereka", "Baluku", "Muhindo", "Okwir",
    "Olweny", "Ongom", "Obong", "Ekwaru", "Opolot", "Etyang", "Wamala", "Ssali", "Kyeyune",
    "Kibirige", "Semakula", "Bukenya", "Ssenyonga", "Kawuma", "Mulindwa", "Namubiru", "Nakato",
    "Babirye", "Nansubuga", "Namutebi", "Nalubega", "Atim", "Akello", "Apio", "Adong", "Aciro",
    "Kyomuhendo", "Kemigisha", "Natukunda", "Birungi", "Asiimwe", "Atuhaire", "Tusiime", "Kansiime",
    "Ainomugisha", "Turyahabwe", "Arinaitwe", "Nuwagaba", "Tumuhairwe", "Kabuye", "Sserwadda",
)

SHARED_FEMALE = (
    "Grace", "Faith", "Mercy", "Peace", "Joyce", "Esther", "Anna", "Lucy", "Rose", "Catherine",
    "Veronica", "Josephine", "Stella", "Irene", "Sophia", "Glory", "Eunice", "Ruth", "Naomi",
    "Mary", "Margaret", "Jane", "Christine", "Florence", "Agatha", "Beatrice", "Priscilla",
    "Rebecca", "Sarah", "Susan", "Winnie", "Judith", "Gladys", "Lydia", "Dorothy", "Eva",
    "Amina", "Aisha", "Mwanaisha", "Zainab", "Khadija", "Mariam", "Rehema", "Neema", "Patience",
    "Teddy", "Juliana", "Monica", "Hellen", "Angela", "Loyce", "Evelyn", "Scovia", "Agnes",
)
SHARED_MALE = (
    "Emmanuel", "Joseph", "John", "Peter", "David", "James", "Samuel", "Daniel", "Stephen", "Moses",
    "Paul", "Simon", "Andrew", "Patrick", "Charles", "Francis", "Richard", "Robert", "George",
    "Michael", "Benjamin", "Isaac", "Jacob", "Elijah", "Joshua", "Gabriel", "Innocent", "Gift",
    "Godwin", "Frank", "Nelson", "Jackson", "Dickson", "Wilson", "Ibrahim", "Mohamed", "Ali",
    "Abdul", "Yusuf", "Musa", "Idris", "Hamisi", "Salim", "Rashid", "Bakari", "Brian", "Kelvin",
    "Alex", "Ian", "Allan", "Martin", "Anthony", "Eric", "Tony", "Steven", "Edward", "Noah",
)

# Honorifics stay outside person spans (LABELS.md: "Mr. Otieno" -> "Otieno").
HONORIFICS = {"m": ("Mr.", "Mr.", "Mzee"), "f": ("Mrs.", "Madam", "Ms.")}
