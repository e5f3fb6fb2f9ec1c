"""How a reversal is told from background and how the policy it undoes is found: further
cases (a negated past perfect, a neighbouring program named in passing, a program named by
its legal authority or its description), each in our own words, through the real code."""

from linking import reverses, statement_acts, stored


def test_a_negated_past_perfect_is_background():
    """"the agency had not explained itself when it moved to end X" tells what was done before."""
    assert statement_acts("A court found that the agency had not explained itself when it moved to end the "
                 "Migrant Protection Protocols.", "none") == set()
    assert statement_acts("A court found that the agency had never weighed reliance when it decided to end "
                 "DACA.", "none") == set()


def test_mpp_is_known_by_the_provision_it_carries_out_and_by_what_it_did(store):
    """The announcement that cites the return-to-Mexico provision of the Act sets MPP up; a
    suspension naming the program and an end describing it ("people sent back to Mexico to
    wait for their hearings") both undo that announcement."""
    assert ("mpp", "establish") in statement_acts(
        "The Secretary announced that the Department will begin implementing section 235(b)(2)(C) "
        "of the Immigration and Nationality Act at the southern border.", "new_policy")
    ids = stored(store, [
        ("start", "2019-01-02", "Secretary Announces Action at the Southern Border",
         "The Secretary announced that the Department will begin implementing section 235(b)(2)(C) "
         "of the Immigration and Nationality Act, so that some people who arrive from Mexico can be "
         "returned there while their cases go forward."),
        ("pause", "2021-01-21", "DHS Suspends New Enrollments in Remain in Mexico",
         "DHS will no longer enroll new arrivals in the Remain in Mexico program."),
        ("end", "2021-06-02", "Secretary Signs Memorandum Ending a Border Program",
         "The Secretary today signed a memorandum terminating the program under which people seeking "
         "asylum were sent back to Mexico to wait for their court dates."),
    ])
    assert reverses(store, ids) == {("pause", "start"), ("end", "start")}


def test_an_approach_named_by_the_year_it_was_adopted_is_that_years_act(store):
    """"replaces the sweeping approach adopted in 2018" undoes the 2018 document it describes,
    not another of that year."""
    assert ("memo act 2018", "end") in statement_acts(
        "The new memorandum replaces the sweeping approach adopted in 2018 under which every removable "
        "person was a target.", "new_policy", published="2021-02-01")
    ids = stored(store, [
        ("wide", "2018-03-05", "Secretary Widens Interior Enforcement",
         "The Secretary signed a memorandum under which every removable person encountered by officers "
         "is a target for arrest, detention and removal, with no category exempt."),
        ("other", "2018-06-11", "USCIS Opens New Field Office in Omaha",
         "USCIS opened a new field office in Omaha to serve applicants in Nebraska and Iowa."),
        ("narrow", "2021-02-01", "Acting Secretary Sets Interim Enforcement Priorities",
         "The Acting Secretary signed a memorandum setting interim priorities for arrest and removal. "
         "It replaces the sweeping approach adopted in 2018 under which every removable person "
         "encountered by officers was a target, with no category exempt."),
    ])
    assert reverses(store, ids) == {("narrow", "wide")}


def test_family_detention_is_one_policy_however_it_is_named(store):
    """A facility opened for adults with children sets family detention up; ending the use of
    family residential centers undoes that; resuming holding families undoes the ending. A rule
    that merely allows holding families together sets nothing up."""
    assert statement_acts("The rule will allow the Department to hold families together during their cases.",
                 "new_policy") == set()
    ids = stored(store, [
        ("open", "2015-02-10", "DHS to Open Facility for Adults with Children in South Texas",
         "The Department today announced that it will open a temporary facility in South Texas to "
         "house adults who cross the border with children while their cases are heard."),
        ("stop", "2021-12-10", "ICE Ends Use of Family Residential Centers",
         "ICE will no longer use its family residential centers to hold parents with their children."),
        ("again", "2025-03-10", "ICE Resumes Holding Families in Texas",
         "ICE has resumed holding families at its center in Dilley."),
    ])
    assert reverses(store, ids) == {("stop", "open"), ("again", "stop")}


def test_border_wall_construction_paused_and_restarted(store):
    """Restarting wall construction undoes the pause, not the waiver that only builds more."""
    ids = stored(store, [
        ("pause", "2021-01-22", "CBP Pauses Border Wall Construction",
         "CBP has paused construction of the border wall while funding is reviewed."),
        ("waiver", "2023-10-06", "Secretary Waives Laws for Barrier Projects in Texas",
         "The Secretary has determined it is necessary to waive certain laws for barrier projects."),
        ("restart", "2025-04-16", "DHS Restarts Border Wall Construction",
         "DHS is resuming construction of the border wall with new contracts."),
    ])
    assert reverses(store, ids) == {("restart", "pause")}


def test_an_exception_to_a_policy_is_no_act_on_it():
    """Replacing how people were picked for exceptions to an order does not end the order."""
    assert statement_acts("The new tool replaces the old way of picking vulnerable people for exceptions to "
                 "the Title 42 order.", "new_policy") == set()
    assert statement_acts("The rule ends exemptions from the public charge rule for some applicants.",
                 "reversal") == set()
    assert ("title 42", "end") in statement_acts("The Department ended the Title 42 order today.")


def test_a_verb_in_one_relative_clause_does_not_reach_a_policy_in_the_next():
    """"people who were granted parole, who came at a set time using the CBP One app": the app
    is granted nothing."""
    assert statement_acts("The bar does not cover people who were granted parole under a process, who came to "
                 "a port at a set time using the CBP One app, or who were refused protection elsewhere.",
                 "new_policy") == set()
    assert ("cbp one", "establish") in statement_acts("CBP today launched the CBP One app for travelers.",
                                             "new_policy")


def test_an_app_that_expands_to_allow_a_feature_sets_that_feature_up(store):
    """Turning a scheduling feature off undoes the release that added it, not the app's launch
    under another name years before nor a rule that only mentions the app."""
    assert ("cbp one", "establish") in statement_acts(
        "The CBP One app expands to allow advance scheduling at border ports.", "new_policy")
    ids = stored(store, [
        ("add", "2023-01-13", "CBP One App Expands to Allow Advance Scheduling at Ports of Entry",
         "Starting today, people in central Mexico may book a time to present at a port of entry "
         "through the CBP One app."),
        ("off", "2025-01-21", "CBP Turns Off Appointment Scheduling Functionality in CBP One",
         "CBP has shut off the scheduling feature in the CBP One app and cancelled existing bookings."),
    ])
    assert reverses(store, ids) == {("off", "add")}


def test_a_participle_with_a_year_after_a_program_names_when_it_was_made():
    """"ends the pilot begun in 2022" is this year's act on a program made in 2022, like
    "the rule published in 2019"; "ended the pilot in 2022" is background."""
    assert ("named youth mentoring", "end") in statement_acts(
        "DHS has discontinued the Youth Mentoring Pilot Program begun in 2022.", published="2025-03-28")
    assert statement_acts("DHS discontinued the Youth Mentoring Pilot Program in 2022.", published="2025-03-28") \
        == set()


def test_a_headline_in_title_case_names_a_program_its_own_text_names(store):
    """The headline "DHS Launches Youth Mentoring Pilot Program" sets up the program the text
    calls by that name, though the text's own sentence about it says nothing new; ending the
    pilot later undoes that launch."""
    ids = stored(store, [
        ("start", "2022-04-05", "DHS Launches Youth Mentoring Pilot Program for Young Migrants",
         "DHS today launched a national pilot to pair young migrants with mentors. The Youth Mentoring "
         "Pilot Program is run by a board of nonprofit groups."),
        ("stop", "2025-03-28", "DHS Ends Funding for Youth Mentoring Pilot Program",
         "DHS has discontinued the Youth Mentoring Pilot Program begun in 2022, saying the grants do not "
         "serve its mission."),
    ])
    assert reverses(store, ids) == {("stop", "start")}


def test_of_several_memos_of_the_month_named_the_one_whose_words_the_reversal_shares(store):
    """"the pause contained in a March 2019 memorandum": two memos of that month are stored; the
    reversal's words (farm inspections, growers, seasonal crews) fit one of them by a clear margin.
    With words that fit neither, no link."""
    ids = stored(store, [
        ("farms", "2019-03-04", "Secretary Issues Memo on Farm Inspections",
         "The Secretary today signed a memorandum directing ICE to stop large farm inspections of "
         "growers during harvest, so that seasonal crews are not swept up."),
        ("ports", "2019-03-20", "Secretary Issues Memo on Port Staffing",
         "The Secretary today signed a memorandum moving officers to ports of entry in Arizona."),
        ("back", "2022-05-02", "ICE Returns to Farm Inspections",
         "ICE said today it has restarted large farm inspections of growers during harvest, ending the "
         "pause contained in a March 2019 memorandum, and seasonal crews will again be checked."),
        ("vague", "2022-06-01", "ICE Updates Guidance",
         "ICE said today it has rescinded a March 2019 memorandum."),
    ])
    assert reverses(store, ids) == {("back", "farms")}


def test_a_participle_lifting_a_hold_after_a_program_brings_it_back(store):
    """"resuming decisions on requests from people paroled under X, lifting the hold placed in
    February" reinstates X: it undoes the hold, not X's launch."""
    ids = stored(store, [
        ("launch", "2022-04-21", "DHS Announces Uniting for Ukraine",
         "DHS today announced Uniting for Ukraine, a process for Ukrainians with a supporter in the "
         "United States to seek parole."),
        ("hold", "2025-02-03", "USCIS Puts Parole Requests on Hold",
         "USCIS has paused supporter requests for Uniting for Ukraine while it reviews vetting."),
        ("lift", "2025-06-16", "USCIS Lifts Hold for Ukrainian Parolees",
         "USCIS announced it is resuming decisions on work permit requests from people paroled under the "
         "Uniting for Ukraine process, lifting the hold placed in February."),
    ])
    assert reverses(store, ids) == {("hold", "launch"), ("lift", "hold")}


def test_a_tps_termination_that_gives_the_year_of_the_decision_it_undoes(store):
    """"the designation extended in 2023" and "The 2024 extension and redesignation expires":
    the year, said without the country in that sentence, picks the decision of that year; a
    sentence that names another country's year does not count."""
    ids = stored(store, [
        ("first", "2021-05-25", "Designation of Yemen for Temporary Protected Status",
         "SUMMARY: The Secretary is designating Yemen for Temporary Protected Status for 18 months."),
        ("again", "2024-03-25", "Yemen Temporary Protected Status Extended and Redesignated",
         "DHS announced that it is extending and redesignating Yemen for Temporary Protected Status."),
        ("end", "2025-11-25", "Termination of the Designation of Yemen for Temporary Protected Status",
         "SUMMARY: DHS is ending the TPS designation for Yemen. The 2024 extension and redesignation "
         "expires in November, and the designation will terminate 60 days after this notice."),
    ])
    assert reverses(store, ids) == {("end", "again")}


def test_each_postponement_of_a_deadline_undoes_the_one_before(store):
    """Extending the REAL ID enforcement deadline puts it off; a later postponement undoes the
    one that set the date it moves, not the first; the first has nothing stored to undo, and
    enforcement finally starting is no reversal."""
    assert ("real id enforcement", "suspend") in statement_acts(
        "DHS Extends REAL ID Enforcement Deadline by a Year", "reversal")
    ids = stored(store, [
        ("one", "2020-03-27", "DHS Extends REAL ID Enforcement Deadline",
         "Because licensing offices are closed, DHS has pushed the REAL ID enforcement deadline back "
         "by one year."),
        ("two", "2021-04-28", "DHS Postpones REAL ID Full Enforcement Date Again",
         "DHS is postponing the REAL ID full enforcement date by another nineteen months."),
        ("three", "2022-12-06", "DHS Postpones the REAL ID Enforcement Date to 2025",
         "DHS is postponing the REAL ID enforcement date by two more years so that states can catch up."),
        ("start", "2025-05-08", "REAL ID Enforcement Date Arrives",
         "Starting today, travelers need a REAL ID to board domestic flights."),
    ])
    assert reverses(store, ids) == {("two", "one"), ("three", "two")}


def test_a_program_the_document_names_again_with_its_acronym_keeps_the_acronym(store):
    """A text naming "the Shelter Referral Program (SRP)" records SRP as its alias, so a later
    "scraps SRP" undoes it, now that a document's own names are known names of its headline."""
    ids = stored(store, [
        ("launch", "2015-07-01", "ICE Begins Shelter Referral Program",
         "ICE has begun carrying out the Shelter Referral Program (SRP), under which officers refer "
         "released families to shelters."),
        ("end", "2017-01-26", "Executive Order Scraps SRP",
         "The executive order signed Wednesday scraps SRP."),
    ])
    assert reverses(store, ids) == {("end", "launch")}


def test_an_app_expanded_so_that_people_can_book_adds_a_feature(store):
    """"expanded the app so that travelers can book a slot" adds booking; removing booking later
    undoes that release. Expanding a program to more cities is still an extension."""
    assert ("cbp one", "establish") in statement_acts(
        "CBP today expanded the CBP One app so that travelers in Mexico can book a time to arrive at "
        "a port.", "new_policy")
    assert ("cbp one", "extend") in statement_acts("CBP today expanded the CBP One app to more ports.", "new_policy")
    ids = stored(store, [
        ("add", "2023-01-12", "New Features in the CBP One App",
         "CBP today expanded the CBP One app so that travelers in Mexico can book a time to arrive at a "
         "port of entry."),
        ("off", "2025-01-20", "CBP Removes Booking Functionality in CBP One",
         "CBP has removed the booking feature from the CBP One app."),
    ])
    assert reverses(store, ids) == {("off", "add")}
