"""The texts of the demo content (one real prisoner's profile and the Paris rally), in
English, French and Russian, with their sources.

Facts about real people come with their sources: AZAT_SOURCES lists every source of the
profile of Azat Miftakhov and RALLY_SOURCES those of the rally page, each titled in the three
languages; both lists are shown to visitors, and outlets that Russia has declared
"undesirable" are marked there (gallery/models/outlets.py). A comment above each group of facts
names the sources that support it. The three languages are written separately and state the
same facts. On purpose, these texts publish no prison address, no witness names and no bank
details, do not repeat the words he is accused of, nor the names of the person or group
mentioned in that case, and never ask readers to share a source. The newest sourced news is
of September 2025: anything later must be checked live (FreeAzat, Memorial, OVD-Info)
before it is added.
"""

from __future__ import annotations

from textwrap import dedent

from ...models import SourceEntry


def _md(*paragraphs: str) -> str:
    """Markdown paragraphs, dedented and separated by blank lines."""
    return "\n\n".join(dedent(p).strip() for p in paragraphs)


def _bullets(*items: str) -> str:
    """A Markdown bullet list, one item per (dedented) string."""
    lines = []
    for item in items:
        first, *rest = dedent(item).strip().splitlines()
        lines.append(f"- {first}")
        lines.extend(f"  {line}" for line in rest)
    return "\n".join(lines)


def _source(url: str, *, en: str, fr: str, ru: str) -> SourceEntry:
    """A source with its title in each language (the outlet's own language in brackets
    where it is not the reader's). Outlets declared "undesirable" in Russia are marked from
    their address (gallery/models/outlets.py)."""
    return SourceEntry(url=url, titles={"en": en, "fr": fr, "ru": ru})


# Chosen after the fact-check of December 2026: primary records first (Memorial's profile,
# the courts as reported by TASS and NTV), then the outlets that followed the case. Left out
# on purpose: pages that name witnesses or repeat the words he is accused of, and two weak
# sources with errors (an aggregator that says he was charged with making explosives, and an
# article that predates the 2024 verdict). "S" numbers are those of the fact-check.
AZAT_SOURCES: list[SourceEntry] = [
    _source(  # S1: born 22.03.1993; Art. 213(2), 6 years; Art. 205.2(1), 4 years, the first 2 y 6 m in a prison
        "https://memopzk.org/figurant/miftahov-azat-fanisovich/",
        en="Memorial’s political prisoners support project (in Russian): profile of Azat Miftakhov, both cases and their terms",
        fr="Soutien aux prisonniers politiques de Memorial (en russe) : fiche d’Azat Miftakhov, ses deux affaires et ses peines",
        ru="«Поддержка политзаключённых. Мемориал»: карточка Азата Мифтахова — оба дела и сроки",
    ),
    _source(  # S2: born 22 March 1993 in Nizhnekamsk; MSU 2010–15; graduate student from 2015
        "https://caseazatmiftakhov.org/mathematics/",
        en="Azat Miftakhov Committee: his studies in mathematics (born in Nizhnekamsk on 22 March 1993; a graduate student at Moscow State University from 2015)",
        fr="Comité Azat Miftakhov (en anglais) : ses études de mathématiques (né à Nijnekamsk le 22 mars 1993 ; doctorant à l’université d’État de Moscou à partir de 2015)",
        ru="Комитет в поддержку Азата Мифтахова (на английском): его путь в математике (родился в Нижнекамске 22 марта 1993 года, аспирант МГУ с 2015 года)",
    ),
    _source(  # S7
        "https://meduza.io/en/news/2019/02/04/russian-graduate-student-and-anarchist-activist-faces-closed-hearing-after-alleged-torture-intimidation-searches",
        en="Meduza, 4 February 2019: arrest, alleged torture, closed hearing",
        fr="Meduza (en anglais), 4 février 2019 : arrestation, torture alléguée, audience à huis clos",
        ru="«Медуза» (на английском), 4 февраля 2019 года: задержание, заявления о пытках, закрытое заседание",
    ),
    _source(  # S8: released without charge, detained again hours later; monitors saw marks
        "https://rferl.org/amp/moscow-student-rearrested-after-brief-release-from-detention-following-torture-claims/29757145.html",
        en="RFE/RL, February 2019: released on 7 February without charge, detained again hours later; monitors saw marks on his body",
        fr="RFE/RL (en anglais), février 2019 : relâché sans inculpation le 7 février, de nouveau interpellé quelques heures plus tard ; des observateurs ont vu des marques sur son corps",
        ru="«Радио Свобода» (на английском), февраль 2019 года: 7 февраля отпущен без обвинения и через несколько часов задержан снова; члены ОНК видели следы на его теле",
    ),
    _source(  # S11: released on the eve of the hearing on a measure of restraint; detained again that day
        "https://palm.newsru.com/russia/09feb2019/eyebrows.html",
        en="NEWSru (in Russian), 9 February 2019: released on the eve of the hearing on his custody, detained again the same day in the “hooliganism” case",
        fr="NEWSru (en russe), 9 février 2019 : relâché à la veille de l’audience sur sa détention, de nouveau interpellé le jour même dans l’affaire de « hooliganisme »",
        ru="NEWSru, 9 февраля 2019 года: отпущен накануне заседания о мере пресечения и в тот же день снова задержан — по делу о «хулиганстве»",
    ),
    _source(  # S12: recognised as a political prisoner; remanded on 12 February
        "https://zona.media/news/2019/03/26/azat",
        en="Mediazona (in Russian), 26 March 2019: Memorial recognises him as a political prisoner; remanded on 12 February",
        fr="Mediazona (en russe), 26 mars 2019 : Memorial le reconnaît comme prisonnier politique ; placé en détention le 12 février",
        ru="«Медиазона», 26 марта 2019 года: «Мемориал» признал Мифтахова политзаключённым; арестован 12 февраля",
    ),
    _source(  # S14: never charged in the explosives case; the window case
        "https://www.opendemocracy.net/en/odr/why-russian-mathematician-azat-miftakhov-trial/",
        en="openDemocracy, 1 April 2020: why the mathematician Azat Miftakhov is on trial",
        fr="openDemocracy (en anglais), 1er avril 2020 : pourquoi le mathématicien Azat Miftakhov est jugé",
        ru="openDemocracy (на английском), 1 апреля 2020 года: почему математика Азата Мифтахова судят",
    ),
    _source(  # S15
        "https://meduza.io/en/news/2021/01/18/moscow-court-sentences-grad-student-azat-miftakhov-to-six-years-in-prison",
        en="Meduza, 18 January 2021: a Moscow court sentences him to six years",
        fr="Meduza (en anglais), 18 janvier 2021 : un tribunal de Moscou le condamne à six ans de colonie",
        ru="«Медуза» (на английском), 18 января 2021 года: московский суд приговорил Мифтахова к шести годам",
    ),
    _source(  # S16
        "https://caseazatmiftakhov.org/2022/04/21/a-cassation-court-in-moscow-reduces-azat-miftakhovs-sentence-by-three-months/",
        en="Azat Miftakhov Committee, 21 April 2022: a cassation court cuts the sentence to five years and nine months",
        fr="Comité Azat Miftakhov (en anglais), 21 avril 2022 : la cassation ramène sa peine à cinq ans et neuf mois",
        ru="Комитет в поддержку Азата Мифтахова (на английском), 21 апреля 2022 года: кассационный суд сократил срок до пяти лет и девяти месяцев",
    ),
    _source(  # S19
        "https://amp.rbc.ru/rbcnews/rbcfreenews/64de40419a7947d381708d5b",
        en="RBC (in Russian), 17 August 2023: added to Rosfinmonitoring’s list of “terrorists and extremists”",
        fr="RBK (en russe), 17 août 2023 : inscrit sur la liste des « terroristes et extrémistes » de Rosfinmonitoring",
        ru="РБК, 17 августа 2023 года: Мифтахов внесён в перечень «террористов и экстремистов» Росфинмониторинга",
    ),
    _source(  # S20
        "https://zona.media/online/2023/09/05/azat",
        en="Mediazona (in Russian), 5 September 2023: detained again at the gate of penal colony IK-17",
        fr="Mediazona (en russe), 5 septembre 2023 : de nouveau arrêté à la sortie de la colonie pénitentiaire IK-17",
        ru="«Медиазона», 5 сентября 2023 года: повторное задержание у ворот ИК-17",
    ),
    _source(  # S28: four years, 2 y 6 m in a prison; the prosecutor asked for three; not guilty
        "https://ntv.ru/novosti/amp/2819620",
        en="NTV (in Russian), 28 March 2024: four more years, the first two and a half in a prison; he pleaded not guilty",
        fr="NTV (en russe), 28 mars 2024 : quatre ans de plus, dont les deux premières années et demie en prison ; il a plaidé non coupable",
        ru="НТВ, 28 марта 2024 года: ещё четыре года, первые два с половиной — в тюрьме; вину Мифтахов не признал",
    ),
    _source(  # S25: he said the evidence against him was fabricated
        "https://moscowtimes.ru/2024/03/28/sud-naznachil-chetire-goda-kolonii-matematiku-miftahovu-podelu-obopravdanii-terrorizma-a126114",
        en="The Moscow Times (in Russian), 28 March 2024: the verdict; he said the evidence had been fabricated",
        fr="The Moscow Times (en russe), 28 mars 2024 : le verdict ; il affirme que les preuves ont été fabriquées",
        ru="The Moscow Times, 28 марта 2024 года: приговор; Мифтахов заявил, что доказательства сфальсифицированы",
    ),
    _source(  # S30: Supreme Court, 5 Aug 2025; 2.5 years in a prison; appeal upheld in mid-August 2024
        "https://news.rambler.ua/incidents/55092788-kassatsiya-podtverdila-prigovor-osuzhdennomu-za-opravdanie-terrorizma-aspirantu-mgu",
        en="TASS via Rambler (in Russian), 5 August 2025: the Supreme Court rejects the cassation appeal",
        fr="TASS, repris par Rambler (en russe), 5 août 2025 : la Cour suprême rejette le pourvoi en cassation",
        ru="ТАСС (через «Рамблер»), 5 августа 2025 года: Верховный суд отклонил кассационную жалобу",
    ),
    _source(  # S31: the news part only (his answers are not paraphrased here, on purpose)
        "https://zona.media/article/2025/08/06/azat",
        en="Mediazona (in Russian), 6 August 2025: after the Supreme Court’s ruling, his written answers from prison",
        fr="Mediazona (en russe), 6 août 2025 : après la décision de la Cour suprême, ses réponses écrites depuis la prison",
        ru="«Медиазона», 6 августа 2025 года: после решения Верховного суда — письменные ответы Мифтахова из заключения",
    ),
    _source(  # S32: last appeal; his lawyer in August 2025: about two years left, six months in a prison
        "https://blogs.mediapart.fr/solidarite-freeazat/blog/100925/lappel-contre-la-condamnation-dazat-miftakhov-rejete-en-derniere-instance",
        en="Solidarité FreeAzat (in French), 10 September 2025: last appeal rejected; his lawyer on the time left to serve",
        fr="Solidarité FreeAzat, 10 septembre 2025 : rejet du dernier recours ; son avocate sur la peine restant à purger",
        ru="Solidarité FreeAzat (на французском), 10 сентября 2025 года: последняя жалоба отклонена; адвокат — о том, сколько осталось до конца срока",
    ),
    _source(  # S38: the complaint to the UN WGAD, 22 Sep 2025 (and the group's contact address in the header)
        "https://blogs.mediapart.fr/solidarite-freeazat/blog/220925/azat-miftakhov-et-alexei-gorinov-deposent-plainte-lonu-contre-les-autorites-russes",
        en="Solidarité FreeAzat and Memorial (in French), 22 September 2025: complaint to the UN Working Group on Arbitrary Detention",
        fr="Solidarité FreeAzat et Memorial, 22 septembre 2025 : plainte devant le Groupe de travail de l’ONU sur la détention arbitraire",
        ru="Solidarité FreeAzat и «Мемориал» (на французском), 22 сентября 2025 года: жалоба в Рабочую группу ООН по произвольным задержаниям",
    ),
    _source(  # S39: statement of support; Student of Honor; ready to welcome him to finish his PhD
        "https://universite-paris-saclay.fr/en/doctoral-schools/doctoral-school-mathematics-hadamard-edmh",
        en="Hadamard doctoral school of mathematics (EDMH), Université Paris-Saclay: statement of support, Student of Honor",
        fr="École doctorale de mathématiques Hadamard (EDMH), université Paris-Saclay (en anglais) : déclaration de soutien, étudiant d’honneur",
        ru="Математическая докторская школа имени Адамара (EDMH), университет Париж-Сакле (на английском): заявление в поддержку, звание почётного студента",
    ),
    _source(  # S40: honorary student since 4 March 2021
        "https://caseazatmiftakhov.org/2021/05/14/azat-mifatkhovs-letter-accepting-the-invitation-of-the-fondation-mathematique-jacques-hadamard-at-orsay/",
        en="Azat Miftakhov Committee, 14 May 2021: his letter accepting the invitation of the Fondation Mathématique Jacques Hadamard",
        fr="Comité Azat Miftakhov (en anglais), 14 mai 2021 : sa lettre acceptant l’invitation de la Fondation mathématique Jacques Hadamard",
        ru="Комитет в поддержку Азата Мифтахова (на английском), 14 мая 2021 года: письмо Мифтахова о согласии принять приглашение Математического фонда имени Жака Адамара",
    ),
    _source(  # S59: the Kansk case
        "https://caseazatmiftakhov.org/2022/02/10/a-teenager-was-sentenced-to-5-years-in-prison-for-putting-up-a-leaflet-in-support-of-azat-miftakhov/",
        en="Azat Miftakhov Committee, 10 February 2022: a teenager sentenced to five years after putting up a leaflet in his support (the Kansk case)",
        fr="Comité Azat Miftakhov (en anglais), 10 février 2022 : un adolescent condamné à cinq ans après avoir collé un tract en sa faveur (affaire de Kansk)",
        ru="Комитет в поддержку Азата Мифтахова (на английском), 10 февраля 2022 года: подростка приговорили к пяти годам после листовки в поддержку Мифтахова («канское дело»)",
    ),
    _source(  # S43: the “1001 letters” campaign, letters collected until Sunday 11 February 2024
        "https://cahiersdumouvementouvrier.org/urgent-ouverture-du-proces-dazat-miftakhov/",
        en="Cahiers du mouvement ouvrier (in French), February 2024: the “1001 letters” campaign, letters collected until 11 February 2024",
        fr="Cahiers du mouvement ouvrier, février 2024 : la campagne « 1001 lettres », lettres recueillies jusqu’au 11 février 2024",
        ru="Cahiers du mouvement ouvrier (на французском), февраль 2024 года: кампания «1001 письмо», письма принимали до 11 февраля 2024 года",
    ),
    _source(  # S45: topics to avoid; personal letters; no ciphers
        "https://memopzk.org/en/kak-pisat-pisma-politzaklyuchyonnym",
        en="Memorial: how to write letters to political prisoners",
        fr="Memorial (en anglais) : comment écrire aux prisonniers politiques",
        ru="«Мемориал» (на английском): как писать письма политзаключённым",
    ),
    _source(  # S46: letters in other languages are often not let through
        "https://solidarityzone.net/?p=1060",
        en="Solidarity Zone: how to write to political prisoners in Russia (letters in other languages)",
        fr="Solidarity Zone (en anglais) : comment écrire aux prisonniers politiques en Russie (lettres en langue étrangère)",
        ru="«Зона солидарности» (на английском): как писать политзаключённым в России (письма на других языках)",
    ),
    _source(  # S47: letters must be in Russian; FSIN-Pismo needs a Russian bank card
        "https://www.rightsinrussia.org/write-to-russia/",
        en="Rights in Russia: Write to Russia (letters in Russian; FSIN-Pismo needs a Russian bank card)",
        fr="Rights in Russia (en anglais) : le projet Write to Russia (lettres en russe ; FSIN-Pismo exige une carte bancaire russe)",
        ru="Rights in Russia (на английском): проект Write to Russia (письма на русском; для «ФСИН-Письма» нужна российская карта)",
    ),
    _source(  # S48: the censor can pass letters to investigators
        "https://dept.one/memo/perepiska/",
        en="Department of Data (in Russian): writing to political prisoners, is it dangerous?",
        fr="Department of Data (en russe) : écrire à des prisonniers politiques, est-ce dangereux ?",
        ru="«Отдел данных»: главные вопросы о переписке с политзаключёнными. Опасно ли это?",
    ),
    _source(  # S50: the e-letter services Ф‑Письмо and ZT (formerly Зона Телеком)
        "https://realgazeta.com.ua/lysty-v-polon-druzhyna-polonenoho-podilylasia-dosvidom-elektronnoho-lystuvannia-z-cholovikom",
        en="Realna Gazeta (in Ukrainian): the e-letter services F-Pismo and ZT (formerly Zona Telecom)",
        fr="Realna Gazeta (en ukrainien) : les services de lettres électroniques F-Pismo et ZT (ex-Zona Telecom)",
        ru="«Реальна газета» (на украинском): сервисы электронных писем «Ф‑Письмо» и ZT (бывший «Зона Телеком»)",
    ),
    _source(  # S51: OVD-Info’s letters-now.org pays for delivery and replies
        "https://journal.timeconstructor.com/amp/posts/2024/08/06/cifrovye-servisy-kotorye-my-zasluzhili-kak-legko-napisat-pismo-polituznikam",
        en="Time Constructor (in Russian), 6 August 2024: OVD-Info’s letters-now.org delivers letters to political prisoners and their replies at its own cost",
        fr="Time Constructor (en russe), 6 août 2024 : letters-now.org, le service d’OVD-Info, achemine à ses frais les lettres aux prisonniers politiques et leurs réponses",
        ru="Time Constructor, 6 августа 2024 года: сервис ОВД-Инфо letters-now.org за свой счёт доставляет письма политзаключённым и их ответы",
    ),
    _source(  # S53: since 1 June 2025 Rosfinmonitoring may suspend transfers
        "https://novayagazeta.eu/articles/2025/05/31/vlasti-smogut-priostanavlivat-perevody-rossiian-v-sluchae-podozrenii-v-moshennichestve-i-finansirovanii-ekstremistskoi-deiatelnosti",
        en="Novaya Gazeta Europe (in Russian), 31 May 2025: from 1 June 2025 transfers suspected of “financing extremism” can be suspended",
        fr="Novaïa Gazeta Europe (en russe), 31 mai 2025 : à partir du 1er juin 2025, les virements soupçonnés de « financer l’extrémisme » peuvent être suspendus",
        ru="«Новая газета Европа», 31 мая 2025 года: с 1 июня 2025 года переводы, подозреваемые в «финансировании экстремизма», можно приостанавливать",
    ),
]

AZAT_EN = {
    "name": "Azat Miftakhov",
    # Memorial's profile; Mediazona 5 Sep 2023; NTV 28 Mar 2024
    "summary": (
        "Azat Miftakhov, a mathematician and anarchist from Tatarstan, has been in prison in "
        "Russia since February 2019: first in a “hooliganism” case, then, after he was "
        "arrested again on the day he left the penal colony in 2023, sentenced to four more "
        "years in a case of “justifying terrorism”."
    ),
    "body": _md(
        # Memorial's profile; Azat Miftakhov Committee (mathematics); openDemocracy 1 Apr 2020
        """
        Azat Miftakhov was born in 1993 in Nizhnekamsk, in Tatarstan. In 2015 he began a
        doctorate in mathematics at the Faculty of Mechanics and Mathematics of Moscow State
        University. He is an anarchist.
        """,
        # Meduza 4 Feb 2019 and TASS 4 Feb 2019 (a court extended his detention by 72 hours,
        # to 7 February); openDemocracy 1 Apr 2020 (never charged in the explosives case);
        # RFE/RL Feb 2019 (torture claim, the monitors' finding, released without charge,
        # detained again hours later); NEWSru 9 Feb 2019 (released on the eve of the
        # hearing); Mediazona 26 Mar 2019 (remanded on 12 February)
        """
        He was detained on 1 February 2019 as a suspect in a case about explosives, in which he
        was never charged. He says he was tortured in custody; members of a public monitoring
        commission who visited him said they saw marks on his neck and body. On 7 February
        2019, when the 72 hours for which a court had extended his detention ran out, he was
        released without charge. Hours later police detained him again, this time in a
        “hooliganism” case, and on 12 February a Moscow court remanded him in custody.
        """,
        # Meduza 18 Jan 2021; Memorial's profile (general regime); openDemocracy 1 Apr 2020;
        # Azat Miftakhov Committee 21 Apr 2022 (sentence cut)
        """
        That case was about a window broken at an office of the ruling United Russia party in
        Moscow in 2018. He pleaded not guilty. On 18 January 2021 the Golovinsky district
        court in Moscow sentenced him to six years in a general-regime penal colony. In April
        2022 a cassation court cut the sentence to five years and nine months, so that his
        release was due in September 2023.
        """,
        # Mediazona 5 Sep 2023 (IK-17, Omutninsk); Memorial's profile and NTV 28 Mar 2024
        # (fellow prisoners); RBC 17 Aug 2023 (Rosfinmonitoring list)
        """
        On 4 September 2023, as he walked out of penal colony IK-17 in Omutninsk, in the Kirov
        region, he was arrested again in a new case, of “justifying terrorism”, built on the
        testimony of fellow prisoners. Since August 2023 he has been on the list of
        “terrorists and extremists” kept by Rosfinmonitoring, Russia’s financial watchdog,
        which freezes his bank accounts.
        """,
        # Memorial's profile and NTV 28 Mar 2024 (the first 2 years 6 months in a prison; the
        # prosecutor asked for three; not guilty); The Moscow Times 28 Mar 2024 (fabricated);
        # TASS via Rambler 5 Aug 2025 (appeal in mid-August 2024; the Supreme Court); Mediazona
        # 6 Aug 2025; Solidarité FreeAzat 10 Sep 2025
        """
        On 28 March 2024 the Central District Military Court in Yekaterinburg sentenced him to
        four more years: the first two and a half in a prison, the rest in a strict-regime
        penal colony. The prosecutor had asked for three. He pleaded not guilty and said the
        evidence against him had been fabricated. The sentence was upheld on appeal in August
        2024, and on 5 August 2025 the Supreme Court rejected his cassation appeal.
        """,
        # Solidarité FreeAzat 10 Sep 2025 (his lawyer, August 2025); Solidarité FreeAzat and
        # Memorial 22 Sep 2025 (the complaint to the UN Working Group)
        """
        In August 2025 his lawyer said he had about two years left to serve: six more months
        in a prison, then a strict-regime colony. On 22 September 2025 lawyers of the Memorial
        Human Rights Centre filed a complaint on his behalf with the UN Working Group on
        Arbitrary Detention.
        """,
        # Mediazona 26 Mar 2019 (Memorial); Hadamard doctoral school (EDMH) page (the
        # mathematical societies' support, Student of Honor); Azat Miftakhov Committee
        # 14 May 2021 (since 4 March 2021)
        """
        In March 2019 the Memorial human rights centre recognised him as a political prisoner.
        Mathematical societies of several countries have spoken up for him, and in March 2021
        the Hadamard doctoral school of mathematics (EDMH) of Université Paris-Saclay made him
        a Student of Honor, ready to welcome him to finish his doctorate.
        """,
        # Azat Miftakhov Committee 10 Feb 2022 (the Kansk case)
        """
        Solidarity with him has itself been punished: in Kansk in 2020, teenagers were
        prosecuted after putting up leaflets in his support, and one of them was later
        sentenced to five years.
        """,
    ),
    # Memorial's profile (Art. 213(2); Art. 205.2(1))
    "charges": (
        "“Hooliganism” (Article 213(2) of the Criminal Code, 2021 verdict); “justifying "
        "terrorism” (Article 205.2(1), 2024 verdict)"
    ),
    # Memorial's profile; Meduza 18 Jan 2021; Azat Miftakhov Committee 21 Apr 2022; NTV
    # 28 Mar 2024; TASS via Rambler 5 Aug 2025
    "sentence": (
        "Six years in a general-regime penal colony (January 2021), cut to five years and nine "
        "months on cassation (April 2022); four more years, the first 2½ in a prison (March "
        "2024, military court, Yekaterinburg), upheld on appeal (August 2024) and by the "
        "Supreme Court (August 2025)"
    ),
    "letter_guidance": _bullets(
        # Solidarité FreeAzat 10 Sep 2025 (his lawyer: six more months in a prison, then a
        # colony); FreeAzat's Telegram channel (t.me/freeazat); the Solidarité FreeAzat blog's
        # header (libertepourazat@gmail.com, seen on the post of 22 Sep 2025); Cahiers du
        # mouvement ouvrier, Feb 2024 (“1001 letters”, collected until 11 February 2024)
        """
        **Ask before you write.** We publish no address: by his lawyer’s count he was due to
        be moved from a prison to a strict-regime colony in early 2026. His support groups
        know where letters reach him: FreeAzat (Telegram channel t.me/freeazat, in Russian)
        and Solidarité FreeAzat (libertepourazat@gmail.com). Ask them also whether they still
        collect and translate letters, as they did for the “1001 letters” campaign of early
        2024.
        """,
        # Solidarity Zone; Rights in Russia (letters must be in Russian)
        """
        **Write in Russian.** Letters in other languages are often held back, and he may not
        be able to read them. Ask a friend, a translator or a machine translation for help.
        """,
        # Rights in Russia (FSIN-Pismo needs a Russian bank card); Realna Gazeta (Ф-Письмо and
        # ZT, formerly Зона Телеком); Time Constructor 6 Aug 2024 (letters-now.org)
        """
        **How letters travel.** By ordinary post, addressed in Russian with his full name and
        year of birth, once you know where he is held; or through the paid e-letter services
        F-Pismo (Ф‑Письмо) and ZT (formerly Zona Telecom), which need a Russian bank card and
        work only for some prisons. OVD-Info’s letters-now.org delivers letters to the
        political prisoners it lists, at its own cost.
        """,
        # Memorial: how to write letters (personal letters; nothing the censor may take for a
        # code)
        """
        **What to write.** Short, warm, personal letters: about yourself, your days, your
        city, books, music, mathematics in words (formulas and symbols may be taken for a
        code). Tell him that he is not forgotten.
        """,
        # Memorial: how to write letters (topics to avoid); Department of Data (the censor
        # can pass letters to investigators)
        """
        **What to avoid, for his sake and yours:** the war; his case and the charges; anything
        about terrorism, extremism or banned groups; LGBTQ+ topics; insults to officials;
        abbreviations, ciphers and foreign words. The censor holds back such letters, and they
        can harm him legally. Writing to a prisoner is legal, but if you live in Russia,
        remember that the censor can pass a letter on to investigators.
        """,
        # RBC 17 Aug 2023 (the list); Novaya Gazeta Europe 31 May 2025 (transfers suspended
        # from 1 June 2025)
        """
        **Money.** He is on Rosfinmonitoring’s list of “terrorists and extremists”: transfers
        to him are blocked and reported to the authorities. Do not send him money from Russia;
        ask his support group how to help instead.
        """,
    ),
}

AZAT_FR = {
    "name": "Azat Miftakhov",
    # Memorial's profile; Mediazona 5 Sep 2023; NTV 28 Mar 2024
    "summary": (
        "Mathématicien et anarchiste originaire du Tatarstan, Azat Miftakhov est emprisonné en "
        "Russie depuis février 2019. D’abord condamné dans une affaire de « hooliganisme », il "
        "a de nouveau été arrêté en 2023, le jour de sa sortie de colonie pénitentiaire, puis "
        "condamné à quatre ans supplémentaires dans une affaire d’« apologie du terrorisme »."
    ),
    "body": _md(
        # Memorial's profile; Azat Miftakhov Committee (mathematics); openDemocracy 1 Apr 2020
        """
        Azat Miftakhov est né en 1993 à Nijnekamsk, au Tatarstan. En 2015, il a entamé un
        doctorat de mathématiques à la faculté de mécanique et de mathématiques de
        l’université d’État de Moscou (MGU). Il se revendique anarchiste.
        """,
        # Meduza 4 Feb 2019 and TASS 4 Feb 2019 (a court extended his detention by 72 hours,
        # to 7 February); openDemocracy 1 Apr 2020 (never charged in the explosives case);
        # RFE/RL Feb 2019 (torture claim, the monitors' finding, released without charge,
        # detained again hours later); NEWSru 9 Feb 2019 (released on the eve of the
        # hearing); Mediazona 26 Mar 2019 (remanded on 12 February)
        """
        Interpellé le 1er février 2019 comme suspect dans une affaire d’explosifs, il n’a
        jamais été inculpé dans ce dossier. Il affirme avoir été torturé pendant sa garde à
        vue ; des membres d’une commission publique de surveillance venus le voir ont dit
        avoir constaté des marques sur son cou et sur son corps. Le 7 février 2019, à
        l’expiration des 72 heures de prolongation de sa garde à vue accordées par un
        tribunal, il a été relâché sans avoir été inculpé. Quelques heures plus tard, la
        police l’a de nouveau interpellé, cette fois dans une affaire de « hooliganisme », et
        le 12 février un tribunal de Moscou l’a placé en détention provisoire.
        """,
        # Meduza 18 Jan 2021; Memorial's profile (general regime); openDemocracy 1 Apr 2020;
        # Azat Miftakhov Committee 21 Apr 2022 (sentence cut)
        """
        Cette affaire portait sur une vitre brisée en 2018 dans un local du parti au pouvoir,
        Russie unie, à Moscou. Il a toujours nié les faits. Le 18 janvier 2021, le tribunal du
        district Golovinski de Moscou l’a condamné à six ans de colonie pénitentiaire à
        régime général. En avril 2022, une juridiction de cassation a ramené sa peine à cinq
        ans et neuf mois : sa libération était donc prévue en septembre 2023.
        """,
        # Mediazona 5 Sep 2023 (IK-17, Omutninsk); Memorial's profile and NTV 28 Mar 2024
        # (fellow prisoners); RBC 17 Aug 2023 (Rosfinmonitoring list)
        """
        Le 4 septembre 2023, à sa sortie de la colonie pénitentiaire IK-17 d’Omoutninsk, dans
        la région de Kirov, il a de nouveau été arrêté, cette fois dans une affaire
        d’« apologie du terrorisme » fondée sur les témoignages de codétenus. Depuis août
        2023, il figure sur la liste des « terroristes et extrémistes » tenue par
        Rosfinmonitoring, la cellule russe de renseignement financier (l’équivalent de
        Tracfin), ce qui bloque ses comptes bancaires.
        """,
        # Memorial's profile and NTV 28 Mar 2024 (the first 2 years 6 months in a prison; the
        # prosecutor asked for three; not guilty); The Moscow Times 28 Mar 2024 (fabricated);
        # TASS via Rambler 5 Aug 2025 (appeal in mid-August 2024; the Supreme Court); Mediazona
        # 6 Aug 2025; Solidarité FreeAzat 10 Sep 2025
        """
        Le 28 mars 2024, le tribunal militaire du district central, à Iekaterinbourg, l’a
        condamné à quatre ans supplémentaires : les deux premières années et demie en prison,
        le reste en colonie pénitentiaire à régime strict. Le parquet avait requis trois ans.
        Il a plaidé non coupable et affirmé que les preuves retenues contre lui avaient été
        fabriquées. La peine a été confirmée en appel en août 2024, et la Cour suprême a
        rejeté son pourvoi en cassation le 5 août 2025.
        """,
        # Solidarité FreeAzat 10 Sep 2025 (his lawyer, August 2025); Solidarité FreeAzat and
        # Memorial 22 Sep 2025 (the complaint to the UN Working Group)
        """
        En août 2025, son avocate indiquait qu’il lui restait environ deux ans à purger :
        encore six mois en prison, puis une colonie à régime strict. Le 22 septembre 2025,
        les juristes du Centre de défense des droits humains Memorial ont saisi en son nom le
        Groupe de travail de l’ONU sur la détention arbitraire.
        """,
        # Mediazona 26 Mar 2019 (Memorial); Hadamard doctoral school (EDMH) page (the
        # mathematical societies' support, Student of Honor); Azat Miftakhov Committee
        # 14 May 2021 (since 4 March 2021)
        """
        En mars 2019, le centre de défense des droits humains Memorial l’a reconnu prisonnier
        politique. Des sociétés mathématiques de plusieurs pays ont pris sa défense, et en
        mars 2021 l’école doctorale de mathématiques Hadamard (EDMH) de l’université
        Paris-Saclay l’a nommé étudiant d’honneur, prête à l’accueillir pour qu’il achève son
        doctorat.
        """,
        # Azat Miftakhov Committee 10 Feb 2022 (the Kansk case)
        """
        La solidarité avec lui a elle-même été punie : à Kansk, en 2020, des adolescents ont
        été poursuivis après avoir collé des tracts en sa faveur, et l’un d’eux a ensuite été
        condamné à cinq ans.
        """,
    ),
    # Memorial's profile (Art. 213(2); Art. 205.2(1))
    "charges": (
        "« Hooliganisme » (article 213, partie 2, du Code pénal russe ; condamnation de 2021) ; "
        "« apologie du terrorisme » (article 205.2, partie 1 ; condamnation de 2024)"
    ),
    # Memorial's profile; Meduza 18 Jan 2021; Azat Miftakhov Committee 21 Apr 2022; NTV
    # 28 Mar 2024; TASS via Rambler 5 Aug 2025
    "sentence": (
        "Six ans de colonie pénitentiaire à régime général (janvier 2021), ramenés à cinq ans "
        "et neuf mois en cassation (avril 2022) ; quatre ans supplémentaires, dont les deux "
        "premières années et demie en prison (mars 2024, tribunal militaire d’Iekaterinbourg), "
        "peine confirmée en appel (août 2024) puis par la Cour suprême (août 2025)"
    ),
    "letter_guidance": _bullets(
        # Solidarité FreeAzat 10 Sep 2025 (his lawyer: six more months in a prison, then a
        # colony); FreeAzat's Telegram channel (t.me/freeazat); the Solidarité FreeAzat blog's
        # header (libertepourazat@gmail.com, seen on the post of 22 Sep 2025); Cahiers du
        # mouvement ouvrier, Feb 2024 (“1001 letters”, collected until 11 February 2024)
        """
        **Renseignez-vous avant d’écrire.** Nous ne publions pas d’adresse : selon son
        avocate, il devait être transféré d’une prison vers une colonie à régime strict au
        début de 2026. Ses soutiens savent où les lettres lui parviennent : FreeAzat (chaîne
        Telegram t.me/freeazat, en russe) et le collectif Solidarité FreeAzat
        (libertepourazat@gmail.com). Demandez-leur aussi s’ils recueillent et traduisent
        encore des lettres, comme lors de la campagne « 1001 lettres » du début de 2024.
        """,
        # Solidarity Zone; Rights in Russia (letters must be in Russian)
        """
        **Écrivez en russe.** Les lettres rédigées dans une autre langue sont souvent
        bloquées, et il pourrait ne pas les comprendre. Faites-vous aider par un proche, un
        traducteur ou un outil de traduction automatique.
        """,
        # Rights in Russia (FSIN-Pismo needs a Russian bank card); Realna Gazeta (Ф-Письмо and
        # ZT, formerly Зона Телеком); Time Constructor 6 Aug 2024 (letters-now.org)
        """
        **Comment les lettres voyagent.** Par la poste, avec l’adresse écrite en russe, son
        nom complet et son année de naissance, une fois que vous savez où il est détenu ; ou
        par les services payants de lettres électroniques F-Pismo (Ф‑Письмо) et ZT
        (ex-Zona Telecom), qui exigent une carte bancaire russe et ne desservent que certains
        établissements. Le service letters-now.org d’OVD-Info achemine à ses frais les lettres
        aux prisonniers politiques qu’il recense.
        """,
        # Memorial: how to write letters (personal letters; nothing the censor may take for a
        # code)
        """
        **Quoi écrire.** Des lettres courtes, chaleureuses et personnelles : parlez de vous,
        de votre quotidien, de votre ville, de vos lectures, de musique, de mathématiques en
        toutes lettres (formules et symboles peuvent passer pour un code). Dites-lui qu’il
        n’est pas oublié.
        """,
        # Memorial: how to write letters (topics to avoid); Department of Data (the censor
        # can pass letters to investigators)
        """
        **À éviter, pour lui comme pour vous :** la guerre ; son affaire et les accusations ;
        tout ce qui touche au terrorisme, à l’extrémisme ou aux organisations interdites ; les
        sujets LGBTQ+ ; les insultes envers les autorités ; les abréviations, les codes et les
        mots étrangers. La censure bloque ces lettres, et elles peuvent lui nuire en justice.
        Écrire à un détenu est légal, mais si vous vivez en Russie, sachez que la censure
        peut transmettre une lettre aux enquêteurs.
        """,
        # RBC 17 Aug 2023 (the list); Novaya Gazeta Europe 31 May 2025 (transfers suspended
        # from 1 June 2025)
        """
        **L’argent.** Il figure sur la liste des « terroristes et extrémistes » de
        Rosfinmonitoring : les virements qui lui sont destinés sont bloqués et signalés aux
        autorités. N’envoyez pas d’argent depuis la Russie ; demandez plutôt à ses soutiens
        comment l’aider.
        """,
    ),
}

AZAT_RU = {
    "name": "Азат Мифтахов",
    # Memorial's profile; Mediazona 5 Sep 2023; NTV 28 Mar 2024
    "summary": (
        "Математик и анархист из Татарстана Азат Мифтахов находится в заключении в России с "
        "февраля 2019 года: сначала его осудили по делу о «хулиганстве», а в 2023 году, в день "
        "выхода из колонии, снова задержали и затем приговорили ещё к четырём годам по делу "
        "об «оправдании терроризма»."
    ),
    "body": _md(
        # Memorial's profile; Azat Miftakhov Committee (mathematics); openDemocracy 1 Apr 2020
        """
        Азат Мифтахов родился в 1993 году в Нижнекамске (Татарстан). В 2015 году он поступил
        в аспирантуру механико-математического факультета МГУ. Придерживается анархистских
        взглядов.
        """,
        # Meduza 4 Feb 2019 and TASS 4 Feb 2019 (a court extended his detention by 72 hours,
        # to 7 February); openDemocracy 1 Apr 2020 (never charged in the explosives case);
        # RFE/RL Feb 2019 (torture claim, the monitors' finding, released without charge,
        # detained again hours later); NEWSru 9 Feb 2019 (released on the eve of the
        # hearing); Mediazona 26 Mar 2019 (remanded on 12 February)
        """
        1 февраля 2019 года его задержали как подозреваемого по делу о взрывном устройстве,
        но обвинения по этому делу ему так и не предъявили. По словам Мифтахова, под стражей
        его пытали; члены общественной наблюдательной комиссии, посетившие его, рассказали,
        что видели следы на его шее и теле. 7 февраля 2019 года, когда истекли 72 часа, на
        которые суд продлил его задержание, его отпустили, так и не предъявив обвинения.
        Через несколько часов полиция снова задержала его — теперь по делу о «хулиганстве», —
        а 12 февраля московский суд отправил его под стражу.
        """,
        # Meduza 18 Jan 2021; Memorial's profile (general regime); openDemocracy 1 Apr 2020;
        # Azat Miftakhov Committee 21 Apr 2022 (sentence cut)
        """
        В этом деле речь шла о разбитом в 2018 году окне в московском офисе «Единой России».
        Мифтахов вину не признал. 18 января 2021 года Головинский районный суд Москвы
        приговорил его к шести годам колонии общего режима. В апреле 2022 года кассационный
        суд сократил срок до пяти лет и девяти месяцев, поэтому освободиться он должен был
        в сентябре 2023 года.
        """,
        # Mediazona 5 Sep 2023 (IK-17, Omutninsk); Memorial's profile and NTV 28 Mar 2024
        # (fellow prisoners); RBC 17 Aug 2023 (Rosfinmonitoring list)
        """
        4 сентября 2023 года, в день выхода из исправительной колонии ИК-17 в Омутнинске
        (Кировская область), его снова задержали — теперь по делу об «оправдании терроризма»,
        основанному на показаниях сокамерников. С августа 2023 года он внесён в перечень
        «террористов и экстремистов» Росфинмониторинга, поэтому его счета заблокированы.
        """,
        # Memorial's profile and NTV 28 Mar 2024 (the first 2 years 6 months in a prison; the
        # prosecutor asked for three; not guilty); The Moscow Times 28 Mar 2024 (fabricated);
        # TASS via Rambler 5 Aug 2025 (appeal in mid-August 2024; the Supreme Court); Mediazona
        # 6 Aug 2025; Solidarité FreeAzat 10 Sep 2025
        """
        28 марта 2024 года Центральный окружной военный суд в Екатеринбурге приговорил его
        ещё к четырём годам лишения свободы: первые два с половиной года — в тюрьме,
        остальное — в колонии строгого режима. Прокурор просил три года. Мифтахов вину не
        признал и заявил, что доказательства против него сфальсифицированы. В августе 2024
        года апелляционный суд оставил приговор в силе, а 5 августа 2025 года Верховный суд
        отклонил кассационную жалобу.
        """,
        # Solidarité FreeAzat 10 Sep 2025 (his lawyer, August 2025); Solidarité FreeAzat and
        # Memorial 22 Sep 2025 (the complaint to the UN Working Group)
        """
        В августе 2025 года адвокат сообщила, что ему осталось около двух лет: ещё полгода
        в тюрьме, затем колония строгого режима. 22 сентября 2025 года юристы Центра защиты
        прав человека «Мемориал» направили от его имени жалобу в Рабочую группу ООН по
        произвольным задержаниям.
        """,
        # Mediazona 26 Mar 2019 (Memorial); Hadamard doctoral school (EDMH) page (the
        # mathematical societies' support, Student of Honor); Azat Miftakhov Committee
        # 14 May 2021 (since 4 March 2021)
        """
        В марте 2019 года правозащитный центр «Мемориал» признал его политзаключённым. В его
        поддержку выступили математические общества нескольких стран, а в марте 2021 года
        математическая докторская школа имени Адамара (EDMH) при университете Париж-Сакле
        присвоила ему звание почётного студента и заявила, что готова принять его, чтобы он
        закончил диссертацию.
        """,
        # Azat Miftakhov Committee 10 Feb 2022 (the Kansk case)
        """
        За солидарность с ним тоже преследуют: в 2020 году в Канске подростков, расклеивших
        листовки в его поддержку, привлекли к уголовной ответственности, и одного из них
        позже приговорили к пяти годам.
        """,
    ),
    # Memorial's profile (Art. 213(2); Art. 205.2(1))
    "charges": (
        "«Хулиганство» (ч. 2 ст. 213 УК РФ, приговор 2021 года); «оправдание терроризма» "
        "(ч. 1 ст. 205.2 УК РФ, приговор 2024 года)"
    ),
    # Memorial's profile; Meduza 18 Jan 2021; Azat Miftakhov Committee 21 Apr 2022; NTV
    # 28 Mar 2024; TASS via Rambler 5 Aug 2025
    "sentence": (
        "2021 год: шесть лет колонии общего режима (в апреле 2022 года кассационный суд сократил "
        "срок до пяти лет и девяти месяцев). 2024 год: ещё четыре года лишения свободы, из них "
        "первые два с половиной — в тюрьме (Центральный окружной военный суд, Екатеринбург); "
        "приговор устоял в апелляции (август 2024 года) и в Верховном суде (август 2025 года)"
    ),
    "letter_guidance": _bullets(
        # Solidarité FreeAzat 10 Sep 2025 (his lawyer: six more months in a prison, then a
        # colony); FreeAzat's Telegram channel (t.me/freeazat); the Solidarité FreeAzat blog's
        # header (libertepourazat@gmail.com, seen on the post of 22 Sep 2025); Cahiers du
        # mouvement ouvrier, Feb 2024 (“1001 letters”, collected until 11 February 2024)
        """
        **Прежде чем писать, спросите.** Мы не публикуем адрес: по словам адвоката, в начале
        2026 года Азата должны были перевести из тюрьмы в колонию строгого режима. Куда
        доходят письма, знают группы поддержки: FreeAzat (телеграм-канал t.me/freeazat) и
        Solidarité FreeAzat во Франции (libertepourazat@gmail.com). Спросите их и о том,
        собирают ли они письма и переводят ли их, как во время кампании «1001 письмо»
        в начале 2024 года.
        """,
        # Solidarity Zone; Rights in Russia (letters must be in Russian)
        """
        **Пишите по-русски.** Письма на других языках часто не пропускают, и он может их не
        понять.
        """,
        # Rights in Russia (FSIN-Pismo needs a Russian bank card); Realna Gazeta (Ф-Письмо and
        # ZT, formerly Зона Телеком); Time Constructor 6 Aug 2024 (letters-now.org)
        """
        **Как доходят письма.** Обычной почтой — с адресом на русском языке, полным именем и
        годом рождения, когда вы знаете, где он находится; или через платные сервисы
        электронных писем «Ф‑Письмо» и ZT (бывший «Зона Телеком»): для них нужна российская
        банковская карта, и работают они не со всеми учреждениями. Сервис ОВД-Инфо
        letters-now.org за свой счёт доставляет письма политзаключённым из своего списка.
        """,
        # Memorial: how to write letters (personal letters; nothing the censor may take for a
        # code)
        """
        **О чём писать.** Коротко, тепло и по-человечески: расскажите о себе и своей жизни,
        о своём городе, о книгах, музыке, о математике — словами, без формул и символов: их
        могут принять за шифр. Скажите ему, что его помнят.
        """,
        # Memorial: how to write letters (topics to avoid); Department of Data (the censor
        # can pass letters to investigators)
        """
        **Чего избегать — ради него и ради себя:** войны; его дела и обвинений; всего, что
        касается терроризма, экстремизма и запрещённых организаций; ЛГБТК+-тем; оскорблений
        в адрес властей; сокращений, шифров и иностранных слов. Такие письма цензор не
        пропускает, и они могут навредить ему в суде. Писать письма политзаключённым законно,
        но если вы в России, помните: цензор может передать письмо следователям.
        """,
        # RBC 17 Aug 2023 (the list); Novaya Gazeta Europe 31 May 2025 (transfers suspended
        # from 1 June 2025)
        """
        **Деньги.** Он внесён в перечень «террористов и экстремистов» Росфинмониторинга:
        переводы ему блокируются, а банк сообщает о них властям. Не переводите ему деньги из
        России — лучше спросите группу поддержки, как помочь иначе.
        """,
    ),
}

AZAT_TEXTS: dict[str, dict[str, str | None]] = {"en": AZAT_EN, "fr": AZAT_FR, "ru": AZAT_RU}


# The rally's facts come from the organisers' announcement (Solidarité FreeAzat,
# 17 September 2025): the date and time, the name and idea of Art Protest, the programme
# (music, painting exhibitions, readings), Paris with Berlin, the two years since his arrest
# on leaving the colony, the meaning of “Azat”, and the place (square Robert-Schuman, then
# moved by the prefecture to place de Colombie, in the update on the same post). The CNT-AIT's
# call (19 September 2025) adds the performances, readings from plays and speeches. Where
# the rally was in the end is not stated: one later account names the first place.
RALLY_SOURCES: list[SourceEntry] = [
    _source(
        "https://blogs.mediapart.fr/solidarite-freeazat/blog/170925/rassemblement-en-soutien-azat-miftakhov-paris-le-samedi-20-septembre",
        en="Solidarité FreeAzat (organisers, in French), 17 September 2025: the rally announcement and its change of place",
        fr="Solidarité FreeAzat (organisateurs), 17 septembre 2025 : annonce du rassemblement et changement de lieu",
        ru="Solidarité FreeAzat (организаторы, на французском), 17 сентября 2025 года: анонс акции и перенос места",
    ),
    _source(
        "https://cnt-ait.info/2025/09/19/azat-2025",
        en="CNT-AIT Paris Banlieue (in French), 19 September 2025: joining the call, and the programme",
        fr="CNT-AIT Paris Banlieue, 19 septembre 2025 : appel à rejoindre le rassemblement et programme",
        ru="CNT-AIT Paris Banlieue (на французском), 19 сентября 2025 года: призыв присоединиться и программа",
    ),
]

RALLY_EN = {
    "title": "Art Protest rally in Paris for Azat Miftakhov",
    "summary": (
        "An Art Protest rally organised by Solidarité FreeAzat in Paris on Saturday "
        "20 September 2025 for Azat Miftakhov and all Russian political prisoners."
    ),
    "description": _md(
        """
        Solidarité FreeAzat, the group campaigning for the release of Azat Miftakhov, called a
        rally in Paris for Saturday 20 September 2025, from 2 pm, for Azat and for all Russian
        political prisoners. It marked two years since his arrest on leaving the penal colony,
        and since the group’s previous rally near the Russian embassy, in September 2023. In
        Tatar, the organisers noted, Azat means “free”.
        """,
        """
        With artists who support the cause, the organisers defined a new form of action and
        named it Art Protest: it puts art at the centre of political action, as a way to speak
        where speech is punished. Their announcement promised music, painting exhibitions and
        readings; the CNT-AIT, which joined the call, also announced artistic performances,
        readings from plays and speeches by politicians and human rights defenders. The
        organisers described it as an international event, organised above all in Paris and
        Berlin.
        """,
        """
        The organisers first announced the rally at square Robert-Schuman, a few hundred
        metres from the Russian embassy, in the 16th arrondissement. They later wrote, in the
        same post, that the police prefecture had moved it to place de Colombie, also in the
        16th arrondissement and not far from the embassy.
        """,
    ),
    "place": "Near the Russian embassy, Paris 16th arrondissement",
}

RALLY_FR = {
    "title": "Art Protest à Paris : rassemblement pour Azat Miftakhov",
    "summary": (
        "Rassemblement Art Protest organisé par Solidarité FreeAzat à Paris le samedi "
        "20 septembre 2025 pour Azat Miftakhov et tous les prisonniers politiques russes."
    ),
    "description": _md(
        """
        Solidarité FreeAzat, le collectif qui milite pour la libération d’Azat Miftakhov, a
        appelé à un rassemblement à Paris le samedi 20 septembre 2025, à partir de 14 h, pour
        Azat et pour tous les prisonniers politiques russes. Ce rassemblement marquait les
        deux ans de sa nouvelle arrestation, à sa sortie de colonie, et du précédent
        rassemblement du collectif près de l’ambassade de Russie, en septembre 2023. En tatar,
        rappelaient les organisateurs, Azat veut dire « libre ».
        """,
        """
        Avec des artistes engagés à leurs côtés, les organisateurs ont imaginé une nouvelle
        forme d’action, baptisée Art Protest : placer l’art au cœur de l’action politique,
        pour prendre la parole là où la parole est punie. Leur annonce promettait de la
        musique, des expositions de peinture et des lectures ; la CNT-AIT, qui s’est jointe à
        l’appel, annonçait aussi des performances artistiques, des lectures d’extraits de
        théâtre et des prises de parole de responsables politiques et de défenseurs des
        droits humains. Les organisateurs présentaient l’événement comme international,
        organisé avant tout à Paris et à Berlin.
        """,
        """
        Les organisateurs avaient d’abord annoncé le rassemblement square Robert-Schuman, à
        quelques centaines de mètres de l’ambassade de Russie, dans le 16e arrondissement. Ils
        ont ensuite précisé, dans la même publication, que la préfecture de police l’avait
        déplacé place de Colombie, dans le même arrondissement, toujours non loin de
        l’ambassade.
        """,
    ),
    "place": "Près de l’ambassade de Russie, Paris 16e",
}

RALLY_RU = {
    "title": "Art Protest в Париже: акция в поддержку Азата Мифтахова",
    "summary": (
        "Акция Art Protest в Париже 20 сентября 2025 года — в поддержку Азата Мифтахова и всех "
        "российских политзаключённых. Организатор — группа Solidarité FreeAzat."
    ),
    "description": _md(
        """
        Группа Solidarité FreeAzat, которая добивается освобождения Азата Мифтахова,
        пригласила на акцию в Париже в субботу, 20 сентября 2025 года, с 14 часов —
        в поддержку Азата и всех российских политзаключённых. Акцию приурочили к двум годам
        со дня его задержания на выходе из колонии и предыдущей акции группы у посольства
        России в сентябре 2023 года. По-татарски, напомнили организаторы, «Азат» значит
        «свободный».
        """,
        """
        Вместе с художниками, поддерживающими Азата, организаторы придумали новую форму
        акции и назвали её Art Protest: искусство как главное средство протеста — способ
        говорить там, где за слова наказывают. В анонсе обещали музыку, выставки живописи
        и чтения; присоединившаяся к призыву CNT-AIT объявила ещё художественные
        перформансы, чтение отрывков из пьес и выступления политиков и правозащитников.
        Организаторы назвали событие международным; готовили его прежде всего в Париже
        и Берлине.
        """,
        """
        Сначала организаторы объявили местом акции сквер Робера Шумана в нескольких сотнях
        метров от посольства России, в 16-м округе. Позже в той же публикации они сообщили,
        что префектура полиции перенесла акцию на площадь Колумбии — тоже в 16-м округе,
        недалеко от посольства.
        """,
    ),
    "place": "Рядом с посольством России, Париж, 16-й округ",
}

RALLY_TEXTS: dict[str, dict[str, str | None]] = {"en": RALLY_EN, "fr": RALLY_FR, "ru": RALLY_RU}
