"""The texts of the demo content (one real prisoner's profile and the Paris rally), in
English, French and Russian, with their sources.

Facts about real people come with their sources: AZAT_SOURCES lists every source of the
profile of Azat Miftakhov and RALLY_SOURCES the source of the rally page; both are shown to
visitors. A comment above each group of facts names the sources that support it. The three
languages are written separately and state the same facts. On purpose, these texts publish no
prison address, no witness names and no bank details, and do not repeat the words he is
accused of, nor the names of the person or group mentioned in that case.
"""

from __future__ import annotations

from textwrap import dedent


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


AZAT_SOURCES: list[tuple[str, str]] = [
    (
        "Meduza, 4 February 2019: arrest, alleged torture, closed hearing",
        "https://meduza.io/en/news/2019/02/04/russian-graduate-student-and-anarchist-activist-faces-closed-hearing-after-alleged-torture-intimidation-searches",
    ),
    (
        "RFE/RL, February 2019: released on 7 February without charge, detained again hours later",
        "https://rferl.org/amp/moscow-student-rearrested-after-brief-release-from-detention-following-torture-claims/29757145.html",
    ),
    (
        "Mediazona, 26 March 2019: Memorial recognises him as a political prisoner",
        "https://zona.media/news/2019/03/26/azat",
    ),
    (
        "openDemocracy, 1 April 2020: why the mathematician Azat Miftakhov is on trial",
        "https://www.opendemocracy.net/en/odr/why-russian-mathematician-azat-miftakhov-trial/",
    ),
    (
        "Meduza, 18 January 2021: Moscow court sentences him to six years",
        "https://meduza.io/en/news/2021/01/18/moscow-court-sentences-grad-student-azat-miftakhov-to-six-years-in-prison",
    ),
    (
        (
            "Azat Miftakhov Committee, 21 April 2022: cassation court cuts the sentence to five "
            "years and nine months"
        ),
        "https://caseazatmiftakhov.org/2022/04/21/a-cassation-court-in-moscow-reduces-azat-miftakhovs-sentence-by-three-months/",
    ),
    (
        (
            "RBC (in Russian), 17 August 2023: added to Rosfinmonitoring’s list of “terrorists and "
            "extremists”"
        ),
        "https://amp.rbc.ru/rbcnews/rbcfreenews/64de40419a7947d381708d5b",
    ),
    (
        "Meduza, 5 September 2023: arrested again on leaving the penal colony",
        "https://meduza.io/en/feature/2023/09/05/russian-mathematician-and-anarchist-azat-miftakhov-arrested-on-new-charges-immediately-after-release-from-prison",
    ),
    (
        (
            "European Network for Solidarity with Ukraine, early 2024: the “1001 letters to Azat "
            "Miftakhov” campaign"
        ),
        "https://ukraine-solidarity.eu/manifestomembers/get-involved/news-and-analysis/news-and-analyses/a-letter-writing-campaign-1001-letters-to-azat-miftakhov",
    ),
    (
        "Russian Life, 28 February 2024: “A Mathematician in Prison. Again”",
        "https://russianlife.com/the-russia-file/a-mathematician-in-prison-again/",
    ),
    (
        (
            "The Moscow Times (in Russian), 28 March 2024: military court sentences him to four "
            "more years"
        ),
        "https://moscowtimes.ru/2024/03/28/sud-naznachil-chetire-goda-kolonii-matematiku-miftahovu-podelu-obopravdanii-terrorizma-a126114",
    ),
    (
        "Novaya Gazeta Europe, 29 March 2024: four more years for the jailed mathematician",
        "https://novayagazeta.eu/articles/2024/03/29/jailed-russian-mathematician-given-4-more-years-in-prison-for-justifying-terrorism-en-news",
    ),
    (
        (
            "Partage Noir (in French), 17 December 2024: the appeal court upheld the sentence on "
            "15 August 2024"
        ),
        "https://www.partage-noir.fr/liberte-pour-azat-miftakhov-freeazat-1839",
    ),
    (
        (
            "TASS via Rambler (in Russian), 5 August 2025: the Supreme Court rejects the cassation "
            "appeal"
        ),
        "https://news.rambler.ua/incidents/55092788-kassatsiya-podtverdila-prigovor-osuzhdennomu-za-opravdanie-terrorizma-aspirantu-mgu",
    ),
    (
        "Solidarité FreeAzat (in French), 10 September 2025: last appeal rejected",
        "https://blogs.mediapart.fr/solidarite-freeazat/blog/100925/lappel-contre-la-condamnation-dazat-miftakhov-rejete-en-derniere-instance",
    ),
    (
        "Gefangen in Russland (in German): profile of Azat Miftachov, born 22 March 1993",
        "https://gefangen-in-russland.de/personen-in-haft/azat-miftachov",
    ),
    (
        "Desk Russie: author page of Azat Miftakhov (biography, sentences, support)",
        "https://desk-russie.info/author/azat-miftakhov",
    ),
    (
        "Memorial: how to write letters to political prisoners",
        "https://memopzk.org/en/kak-pisat-pisma-politzaklyuchyonnym",
    ),
    (
        (
            "Solidarity Zone: how to write to political prisoners in Russia (letters in other "
            "languages)"
        ),
        "https://solidarityzone.net/?p=1060",
    ),
]

AZAT_EN = {
    "name": "Azat Miftakhov",
    # Meduza 4 Feb 2019 and openDemocracy (anarchist, arrest); Meduza 18 Jan 2021; Meduza
    # 5 Sep 2023; The Moscow Times 28 Mar 2024
    "summary": (
        "Azat Miftakhov, a mathematician and anarchist from Tatarstan, has been in prison in "
        "Russia since February 2019: first in a “hooliganism” case, then, after he was "
        "arrested again on the day he left the penal colony in 2023, sentenced to four more "
        "years in a case of “justifying terrorism”."
    ),
    "body": _md(
        # Meduza 4 Feb 2019; openDemocracy 1 Apr 2020; Desk Russie author page
        """
        Azat Miftakhov was born in 1993 in Nizhnekamsk, in Tatarstan. In 2015 he began a
        doctorate in mathematics at the Faculty of Mechanics and Mathematics of Moscow State
        University. He is an anarchist.
        """,
        # Meduza 4 Feb 2019 (arrest, torture); RFE/RL Feb 2019 (released on 7 February for lack
        # of evidence, never charged, detained again the same day)
        """
        He was detained on 1 February 2019 as a suspect in a case about explosives, in which he
        was never charged. He says he was tortured in custody. On 7 February 2019 he was
        released, because the courts had refused to hold him for lack of evidence. The same
        day he was arrested again, this time in a “hooliganism” case.
        """,
        # Meduza 18 Jan 2021; openDemocracy 1 Apr 2020; Azat Miftakhov Committee 21 Apr 2022
        # (sentence cut)
        """
        That case was about a window broken at an office of the ruling United Russia party in
        Moscow in 2018. He pleaded not guilty. On 18 January 2021 the Golovinsky district
        court in Moscow sentenced him to six years in a penal colony. In April 2022 a
        cassation court cut the sentence to five years and nine months, so that his release
        was due in September 2023.
        """,
        # Meduza 5 Sep 2023 (IK-17, Omutninsk, fellow prisoners); RBC 17 Aug 2023
        # (Rosfinmonitoring list, banking)
        """
        On 4 September 2023, as he walked out of penal colony IK-17 in Omutninsk, in the Kirov
        region, he was arrested again in a new case, of “justifying terrorism”, built on the
        testimony of fellow prisoners. Since August 2023 he has been on the list of
        “terrorists and extremists” kept by Rosfinmonitoring, Russia’s financial watchdog,
        which cuts him off from banking services.
        """,
        # The Moscow Times 28 Mar 2024; Novaya Gazeta Europe 29 Mar 2024; Partage Noir
        # 17 Dec 2024 (appeal); TASS via Rambler 5 Aug 2025 and Solidarité FreeAzat 10 Sep 2025
        # (Supreme Court)
        """
        On 28 March 2024 the Central District Military Court in Yekaterinburg sentenced him to
        four more years: the first part in a prison, the rest in a strict-regime penal colony.
        His appeal was rejected in August 2024, and on 5 August 2025 the Supreme Court
        rejected his cassation appeal.
        """,
        # Mediazona 26 Mar 2019 (Memorial); Russian Life 28 Feb 2024; Desk Russie author page
        """
        In March 2019 the Memorial human rights centre recognised him as a political prisoner.
        Mathematical societies of several countries have spoken up for him, and the Hadamard
        doctoral school of Université Paris-Saclay made him an honorary student.
        """,
    ),
    # Meduza 18 Jan 2021; Azat Miftakhov Committee 21 Apr 2022; The Moscow Times
    # 28 Mar 2024; Partage Noir 17 Dec 2024; TASS via Rambler 5 Aug 2025
    "charges": "“Hooliganism” (2021 verdict); “justifying terrorism” (2024 verdict)",
    "sentence": (
        "Six years in a penal colony (January 2021), cut to five years and nine months on "
        "appeal (April 2022); four more years (March 2024, military court, Yekaterinburg), "
        "upheld on appeal (August 2024) and by the Supreme Court (August 2025)"
    ),
    "letter_guidance": _bullets(
        # European Network for Solidarity with Ukraine (“1001 letters”: e-mail, translation,
        # forwarding, censor)
        """
        **Write through his support group.** Solidarité FreeAzat collects letters to Azat at
        libertepourazat@gmail.com, translates them into Russian and forwards them to him.
        Every letter still goes through the prison censor.
        """,
        # Memorial: how to write letters (personal letters; topics and foreign words the censor
        # holds back)
        """
        Write short, warm, personal letters: about yourself, your days, your city, books,
        music, mathematics. Tell him that he is not forgotten.
        """,
        """
        **Avoid** the war, politics and his case, and leave out foreign words: the censor
        holds back such letters.
        """,
        # Solidarity Zone (letters in other languages are often not let through)
        """
        If you send an official electronic letter (FSIN-Pismo, the Russian prison service’s
        paid e-mail system), write it **in Russian only**: letters in other languages are often
        not let through.
        """,
        # RBC 17 Aug 2023 (Rosfinmonitoring list, cut off from banking)
        """
        **Do not send him money from Russia.** He is on Rosfinmonitoring’s list of
        “terrorists and extremists”, which cuts him off from banking, and a transfer can
        expose the person who sends it. To help in other ways, contact Solidarité FreeAzat.
        """,
    ),
}

AZAT_FR = {
    "name": "Azat Miftakhov",
    # Meduza 4 Feb 2019 and openDemocracy (anarchist, arrest); Meduza 18 Jan 2021; Meduza
    # 5 Sep 2023; The Moscow Times 28 Mar 2024
    "summary": (
        "Mathématicien et anarchiste originaire du Tatarstan, Azat Miftakhov est emprisonné "
        "en Russie depuis février 2019 : condamné d’abord dans une affaire de « hooliganisme », "
        "puis, arrêté de nouveau le jour de sa sortie de colonie pénitentiaire en 2023, à "
        "quatre années supplémentaires dans une affaire d’« apologie du terrorisme »."
    ),
    "body": _md(
        # Meduza 4 Feb 2019; openDemocracy 1 Apr 2020; Desk Russie author page
        """
        Azat Miftakhov est né en 1993 à Nijnekamsk, au Tatarstan. En 2015, il a entamé un
        doctorat de mathématiques à la faculté de mécanique et de mathématiques de
        l’Université d’État de Moscou. Il est anarchiste.
        """,
        # Meduza 4 Feb 2019 (arrest, torture); RFE/RL Feb 2019 (released on 7 February for lack
        # of evidence, never charged, detained again the same day)
        """
        Interpellé le 1er février 2019 comme suspect dans une affaire d’explosifs, il n’y a
        jamais été inculpé. Il affirme avoir été torturé pendant sa garde à vue. Le 7 février
        2019, il a été remis en liberté, les tribunaux ayant refusé de le placer en détention
        faute de preuves. Le jour même, il a été arrêté de nouveau, cette fois dans une affaire
        de « hooliganisme ».
        """,
        # Meduza 18 Jan 2021; openDemocracy 1 Apr 2020; Azat Miftakhov Committee 21 Apr 2022
        # (sentence cut)
        """
        Cette affaire portait sur une vitre brisée en 2018 dans un local du parti au pouvoir,
        Russie unie, à Moscou. Il a toujours nié les faits. Le 18 janvier 2021, le tribunal du
        district Golovinski de Moscou l’a condamné à six ans de colonie pénitentiaire. En
        avril 2022, une juridiction de cassation a réduit sa peine à cinq ans et neuf mois, ce
        qui plaçait sa libération en septembre 2023.
        """,
        # Meduza 5 Sep 2023 (IK-17, Omutninsk, fellow prisoners); RBC 17 Aug 2023
        # (Rosfinmonitoring list, banking)
        """
        Le 4 septembre 2023, à sa sortie de la colonie pénitentiaire IK-17 d’Omoutninsk, dans
        la région de Kirov, il a été arrêté de nouveau dans une autre affaire, d’« apologie
        du terrorisme », fondée sur les témoignages de codétenus. Depuis août 2023, il figure
        sur la liste des « terroristes et extrémistes » tenue par Rosfinmonitoring, le service
        russe de renseignement financier, ce qui le prive de services bancaires.
        """,
        # The Moscow Times 28 Mar 2024; Novaya Gazeta Europe 29 Mar 2024; Partage Noir
        # 17 Dec 2024 (appeal); TASS via Rambler 5 Aug 2025 and Solidarité FreeAzat 10 Sep 2025
        # (Supreme Court)
        """
        Le 28 mars 2024, le tribunal militaire du district central, à Iekaterinbourg, l’a
        condamné à quatre années supplémentaires, à purger d’abord en prison, puis en colonie
        pénitentiaire à régime strict. Son appel a été rejeté en août 2024, et la Cour suprême
        a rejeté son pourvoi en cassation le 5 août 2025.
        """,
        # Mediazona 26 Mar 2019 (Memorial); Russian Life 28 Feb 2024; Desk Russie author page
        """
        En mars 2019, le centre de défense des droits humains Memorial l’a reconnu prisonnier
        politique. Des sociétés mathématiques de plusieurs pays ont pris sa défense, et l’école
        doctorale Hadamard de l’Université Paris-Saclay l’a nommé étudiant d’honneur.
        """,
    ),
    # Meduza 18 Jan 2021; Azat Miftakhov Committee 21 Apr 2022; The Moscow Times
    # 28 Mar 2024; Partage Noir 17 Dec 2024; TASS via Rambler 5 Aug 2025
    "charges": (
        "« Hooliganisme » (condamnation de 2021) ; « apologie du terrorisme » "
        "(condamnation de 2024)"
    ),
    "sentence": (
        "Six ans de colonie pénitentiaire (janvier 2021), réduits à cinq ans et neuf mois en "
        "cassation (avril 2022) ; quatre années supplémentaires (mars 2024, tribunal militaire, "
        "Iekaterinbourg), confirmées en appel (août 2024) puis par la Cour suprême (août 2025)"
    ),
    "letter_guidance": _bullets(
        # European Network for Solidarity with Ukraine (“1001 letters”: e-mail, translation,
        # forwarding, censor)
        """
        **Écrivez par l’intermédiaire de son comité de soutien.** L’association Solidarité
        FreeAzat recueille les lettres adressées à Azat à libertepourazat@gmail.com, les
        traduit en russe et les lui fait parvenir. Chaque lettre passe tout de même par la
        censure de la prison.
        """,
        # Memorial: how to write letters (personal letters; topics and foreign words the censor
        # holds back)
        """
        Écrivez des lettres courtes, chaleureuses et personnelles : parlez de vous, de votre
        quotidien, de votre ville, de vos lectures, de musique, de mathématiques. Dites-lui
        qu’il n’est pas oublié.
        """,
        """
        **Évitez** la guerre, la politique et son affaire, ainsi que les mots étrangers : le
        censeur retient ces lettres.
        """,
        # Solidarity Zone (letters in other languages are often not let through)
        """
        Dans une lettre électronique officielle (FSIN-Pismo, le service payant de
        l’administration pénitentiaire), écrivez **uniquement en russe** : les lettres dans
        d’autres langues sont souvent bloquées.
        """,
        # RBC 17 Aug 2023 (Rosfinmonitoring list, cut off from banking)
        """
        **N’envoyez pas d’argent depuis la Russie.** Inscrit sur la liste des « terroristes et
        extrémistes » de Rosfinmonitoring, Azat est privé de services bancaires, et un virement
        peut exposer la personne qui l’envoie. Pour l’aider autrement, adressez-vous à
        Solidarité FreeAzat.
        """,
    ),
}

AZAT_RU = {
    "name": "Азат Мифтахов",
    # Meduza 4 Feb 2019 and openDemocracy (anarchist, arrest); Meduza 18 Jan 2021; Meduza
    # 5 Sep 2023; The Moscow Times 28 Mar 2024
    "summary": (
        "Математик и анархист из Татарстана Азат Мифтахов находится в заключении в России с "
        "февраля 2019 года: сначала его осудили по делу о «хулиганстве», а в 2023 году, в день "
        "выхода из колонии, снова задержали и затем приговорили ещё к четырём годам по делу "
        "об «оправдании терроризма»."
    ),
    "body": _md(
        # Meduza 4 Feb 2019; openDemocracy 1 Apr 2020; Desk Russie author page
        """
        Азат Мифтахов родился в 1993 году в Нижнекамске (Татарстан). В 2015 году он поступил
        в аспирантуру механико-математического факультета МГУ. Он анархист.
        """,
        # Meduza 4 Feb 2019 (arrest, torture); RFE/RL Feb 2019 (released on 7 February for lack
        # of evidence, never charged, detained again the same day)
        """
        1 февраля 2019 года его задержали как подозреваемого по делу о взрывном устройстве,
        но обвинения по этому делу ему так и не предъявили. По словам Азата, под стражей его
        пытали. 7 февраля 2019 года его отпустили: суды отказались арестовать его из-за
        отсутствия доказательств. В тот же день его задержали снова — на этот раз по делу
        о «хулиганстве».
        """,
        # Meduza 18 Jan 2021; openDemocracy 1 Apr 2020; Azat Miftakhov Committee 21 Apr 2022
        # (sentence cut)
        """
        Это дело касалось окна, разбитого в 2018 году в офисе «Единой России» в Москве. Свою
        вину Азат не признал. 18 января 2021 года Головинский районный суд Москвы приговорил
        его к шести годам колонии. В апреле 2022 года кассационный суд сократил срок до пяти
        лет и девяти месяцев, поэтому освободиться он должен был в сентябре 2023 года.
        """,
        # Meduza 5 Sep 2023 (IK-17, Omutninsk, fellow prisoners); RBC 17 Aug 2023
        # (Rosfinmonitoring list, banking)
        """
        4 сентября 2023 года, в день выхода из исправительной колонии ИК-17 в Омутнинске
        (Кировская область), его снова задержали — теперь по делу об «оправдании терроризма»,
        основанному на показаниях других заключённых. С августа 2023 года он внесён
        в перечень «террористов и экстремистов» Росфинмониторинга и поэтому лишён доступа
        к банковским услугам.
        """,
        # The Moscow Times 28 Mar 2024; Novaya Gazeta Europe 29 Mar 2024; Partage Noir
        # 17 Dec 2024 (appeal); TASS via Rambler 5 Aug 2025 and Solidarité FreeAzat 10 Sep 2025
        # (Supreme Court)
        """
        28 марта 2024 года Центральный окружной военный суд в Екатеринбурге приговорил его
        ещё к четырём годам лишения свободы: первую часть срока он должен провести в тюрьме,
        остальное — в колонии строгого режима. В августе 2024 года апелляционный суд
        оставил приговор в силе, а 5 августа 2025 года Верховный суд отклонил кассационную
        жалобу.
        """,
        # Mediazona 26 Mar 2019 (Memorial); Russian Life 28 Feb 2024; Desk Russie author page
        """
        В марте 2019 года правозащитный центр «Мемориал» признал его политзаключённым. В его
        поддержку выступили математические общества нескольких стран, а докторская школа
        имени Адамара Университета Париж-Сакле сделала его почётным студентом.
        """,
    ),
    # Meduza 18 Jan 2021; Azat Miftakhov Committee 21 Apr 2022; The Moscow Times
    # 28 Mar 2024; Partage Noir 17 Dec 2024; TASS via Rambler 5 Aug 2025
    "charges": "«Хулиганство» (приговор 2021 года); «оправдание терроризма» (приговор 2024 года)",
    "sentence": (
        "Шесть лет колонии (январь 2021 года), в кассации срок сокращён до пяти лет и девяти "
        "месяцев (апрель 2022 года); ещё четыре года (март 2024 года, военный суд, "
        "Екатеринбург), приговор оставлен в силе апелляционным (август 2024 года) и Верховным "
        "судом (август 2025 года)"
    ),
    "letter_guidance": _bullets(
        # European Network for Solidarity with Ukraine (“1001 letters”: e-mail, translation,
        # forwarding, censor)
        """
        **Пишите через группу поддержки.** Ассоциация Solidarité FreeAzat собирает письма
        Азату по адресу libertepourazat@gmail.com, переводит их на русский и передаёт ему.
        Все письма при этом проходят тюремную цензуру.
        """,
        # Memorial: how to write letters (personal letters; topics and foreign words the censor
        # holds back)
        """
        Пишите коротко, тепло и по-человечески: расскажите о себе и своих днях, о своём
        городе, о книгах, музыке, математике. Скажите ему, что его помнят.
        """,
        """
        **Не пишите** о войне, политике и его деле, не используйте иностранных слов: такие
        письма цензор задерживает.
        """,
        # Solidarity Zone (letters in other languages are often not let through)
        """
        В официальных электронных письмах («ФСИН-Письмо») пишите **только по-русски**: письма
        на других языках часто не пропускают.
        """,
        # RBC 17 Aug 2023 (Rosfinmonitoring list, cut off from banking)
        """
        **Не переводите ему деньги из России.** Он внесён в перечень «террористов
        и экстремистов» Росфинмониторинга и лишён доступа к банковским услугам, а перевод
        может навлечь неприятности на отправителя. Чтобы помочь иначе, свяжитесь
        с Solidarité FreeAzat.
        """,
    ),
}

AZAT_TEXTS: dict[str, dict[str, str | None]] = {"en": AZAT_EN, "fr": AZAT_FR, "ru": AZAT_RU}


# All the rally facts come from the organisers' announcement (Solidarité FreeAzat,
# 17 September 2025): the date and time, the name and idea of Art Protest, the programme
# (music, painting exhibitions, readings), Paris with Berlin, the two years since the second
# arrest, the meaning of “Azat”, and the place (square Robert-Schuman, then moved by the
# prefecture to place de Colombie, in the update on the same post).
RALLY_SOURCES: list[tuple[str, str]] = [
    (
        (
            "Solidarité FreeAzat (organisers, in French), 17 September 2025: the rally "
            "announcement and its change of place"
        ),
        "https://blogs.mediapart.fr/solidarite-freeazat/blog/170925/rassemblement-en-soutien-azat-miftakhov-paris-le-samedi-20-septembre",
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
        Solidarité FreeAzat, the association campaigning for the release of Azat Miftakhov,
        called a rally in Paris for Saturday 20 September 2025, from 2 pm, for Azat and for all
        Russian political prisoners. It marked two years since his second arrest and the
        association’s previous rally near the Russian embassy, in September 2023. In Tatar,
        the organisers noted, Azat means “free”.
        """,
        """
        With artists who support the cause, the organisers defined a new form of action and
        named it Art Protest: it puts art at the centre of political action, as a way to
        speak when speech is punished. Their announcement promised music, painting
        exhibitions and readings. They described it as an international event, with Paris and
        Berlin at the heart of its organisation.
        """,
        """
        The organisers first announced the rally at square Robert-Schuman, a few hundred
        metres from the Russian embassy, in the 16th arrondissement. They later wrote, on the
        same post, that the police prefecture had moved it to place de Colombie, also in the
        16th arrondissement and a few hundred metres from the embassy.
        """,
    ),
    "place": "Near the Russian embassy, Paris 16th arrondissement",
}

RALLY_FR = {
    "title": "Art Protest à Paris : rassemblement pour Azat Miftakhov",
    "summary": (
        "Rassemblement « Art Protest » organisé par Solidarité FreeAzat à Paris le samedi "
        "20 septembre 2025 pour Azat Miftakhov et tous les prisonniers politiques russes."
    ),
    "description": _md(
        """
        Solidarité FreeAzat, l’association qui milite pour la libération d’Azat Miftakhov, a
        appelé à un rassemblement à Paris le samedi 20 septembre 2025, à partir de 14 heures,
        pour Azat et pour tous les prisonniers politiques russes. Il marquait les deux ans
        écoulés depuis sa deuxième arrestation et depuis le précédent rassemblement de
        l’association près de l’ambassade de Russie, en septembre 2023. En tatar, rappelaient
        les organisateurs, Azat veut dire « libre ».
        """,
        """
        Avec des artistes engagés pour cette cause, les organisateurs ont défini une nouvelle
        forme d’action, qu’ils ont appelée Art Protest : placer l’art au centre de l’action
        politique, pour prendre la parole là où la parole est punie. Leur annonce promettait de
        la musique, des expositions de peintures et des lectures. Ils le présentaient comme un
        événement international, dont Paris et Berlin étaient le cœur.
        """,
        """
        Les organisateurs avaient d’abord annoncé le rassemblement au square Robert-Schuman, à
        quelques centaines de mètres de l’ambassade de Russie, dans le 16e arrondissement. Ils
        ont ensuite précisé, sur la même page, que la préfecture de police l’avait déplacé
        place de Colombie, toujours dans le 16e, à quelques centaines de mètres de l’ambassade.
        """,
    ),
    "place": "Près de l’ambassade de Russie, 16e arrondissement de Paris",
}

RALLY_RU = {
    "title": "Art Protest в Париже: акция в поддержку Азата Мифтахова",
    "summary": (
        "Акция Art Protest, которую Solidarité FreeAzat организовала в Париже в субботу, "
        "20 сентября 2025 года, в поддержку Азата Мифтахова и всех российских политзаключённых."
    ),
    "description": _md(
        """
        Ассоциация Solidarité FreeAzat, которая добивается освобождения Азата Мифтахова,
        пригласила на акцию в Париже в субботу, 20 сентября 2025 года, с 14 часов —
        в поддержку Азата и всех российских политзаключённых. Акцию приурочили к двухлетию
        его второго задержания и предыдущего митинга ассоциации неподалёку от посольства
        России в сентябре 2023 года. По-татарски, напомнили организаторы,
        «Азат» значит «свободный».
        """,
        """
        Вместе с художниками, поддерживающими Азата, организаторы придумали новую форму
        акции и назвали её Art Protest: искусство в центре политического действия — способ
        говорить там, где за слова наказывают. В анонсе обещали музыку, выставки живописи
        и чтения. Организаторы назвали событие международным; готовили его прежде всего
        в Париже и Берлине.
        """,
        """
        Сначала организаторы объявили местом акции сквер Робера Шумана в нескольких сотнях
        метров от посольства России, в 16-м округе. Позже в той же публикации они сообщили,
        что префектура полиции перенесла акцию на площадь Колумбии — тоже в 16-м округе,
        в нескольких сотнях метров от посольства.
        """,
    ),
    "place": "Рядом с посольством России, Париж, 16-й округ",
}

RALLY_TEXTS: dict[str, dict[str, str | None]] = {"en": RALLY_EN, "fr": RALLY_FR, "ru": RALLY_RU}
