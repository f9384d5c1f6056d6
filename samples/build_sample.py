"""Build samples/roster.xlsx: a fictional school district's new-teacher mentoring program.

Run from the repository root:  python samples/build_sample.py
The output is byte-for-byte the same on every run (fixed document dates and zip timestamps),
so the committed workbook only changes when this script does. Everyone in it is fictional;
email addresses use the reserved example.org domain and phone numbers the 555-01xx range.

The workbook starts from the starter roster ``mentordocs init`` writes (same drop-downs and
formats) and adds one custom column, "School", on the Pairs sheet to show that extra columns
reach the templates (as ``pair.extra["school"]``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from openpyxl.comments import Comment  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402

from mentordocs.roster import SHEETS, new_workbook  # noqa: E402

OUTPUT = HERE / "roster.xlsx"
FIXED_TIME = dt.datetime(2026, 8, 3, 9, 0, 0)


def d(text: str) -> dt.datetime:
    """A date cell (Excel stores dates as date-times)."""
    return dt.datetime.strptime(text, "%Y-%m-%d")


def t(text: str) -> dt.time:
    return dt.datetime.strptime(text, "%H:%M").time()


PROGRAM: list[tuple[str, Any]] = [
    ("Program name", "New Teacher Mentoring Program 2026-27"),
    ("Organization", "Cedar Valley Unified School District"),
    ("Coordinator name", "Margaret Okonkwo-Reyes"),
    ("Coordinator email", "m.okonkwo-reyes@example.org"),
    ("Start date", d("2026-08-31")),
    ("End date", d("2027-06-04")),
    ("Mid-point check", d("2027-01-22")),
    ("End review", d("2027-05-28")),
    ("Forms due", d("2026-09-25")),
    (
        "Standards",
        "California Standards for the Teaching Profession (CSTP): "
        "1 Engaging and supporting all students in learning; "
        "2 Creating and maintaining effective environments for student learning; "
        "3 Understanding and organizing subject matter for student learning; "
        "4 Planning instruction and designing learning experiences for all students; "
        "5 Assessing students for learning; "
        "6 Developing as a professional educator.",
    ),
    ("Signed copies to", "induction@example.org"),
    ("Paper size", "Letter"),  # a US district prints on US Letter
]

# Pair ID, mentor (name, role, email, phone), mentee (name, role, email, phone), plan type,
# day, time, minutes, mode, place, frequency, start, end, cancellation plan, informal contact,
# status, School (a custom column)
PAIRS: list[dict[str, Any]] = [
    {
        "Pair ID": "P01",
        "Mentor name": "Ana María López",
        "Mentor role": "Grade 3 teacher",
        "Mentor email": "ana.lopez@example.org",
        "Mentor phone": "(555) 010-2301",
        "Mentee name": "Liam O'Brien",
        "Mentee role": "First-year Grade 3 teacher",
        "Mentee email": "liam.obrien@example.org",
        "Mentee phone": "(555) 010-2302",
        "Plan type": "Mentee-focused",
        "Meeting day": "Tuesday",
        "Meeting time": t("15:30"),
        "Meeting length (minutes)": 45,
        "Meeting mode": "In person",
        "Meeting place": "Room 114, Lincoln Elementary",
        "Frequency": "Every 2 weeks",
        "Cancellation plan": "Whoever cancels proposes a new time within the same week by email.",
        "Informal contact": "Quick check-in at Friday lunch; text messages for urgent questions.",
        "Status": "Active",
        "School": "Lincoln Elementary",
    },
    {
        "Pair ID": "P02",
        "Mentor name": "张伟 (Zhang Wei)",
        "Mentor role": "Instructional coach",
        "Mentor email": "wei.zhang@example.org",
        "Mentor phone": "(555) 010-2303",
        "Mentee name": "Ольга Петрова",
        "Mentee role": "First-year Grade 6 math teacher",
        "Mentee email": "olga.petrova@example.org",
        "Mentee phone": "(555) 010-2304",
        "Plan type": "Mutual growth",
        "Meeting day": "Thursday",
        "Meeting time": t("16:00"),
        "Meeting length (minutes)": 30,
        "Meeting mode": "Online",
        "Meeting place": "https://meet.example.org/cvusd-p02",
        "Frequency": "Every 2 weeks",
        "Cancellation plan": "Post in the shared chat by noon and move the call to Friday.",
        "Informal contact": "Shared chat channel; a short voice call when a lesson went sideways.",
        "Status": "Active",
        "School": "Jefferson Middle School",
    },
    {
        "Pair ID": "P03",
        "Mentor name": "فاطمة الزهراء",
        "Mentor role": "Grade 7 science teacher",
        "Mentor email": "fatima.alzahra@example.org",
        "Mentor phone": "(555) 010-2305",
        "Mentee name": "Diego Hernández",
        "Mentee role": "First-year Grade 7 science teacher",
        "Mentee email": "diego.hernandez@example.org",
        "Mentee phone": "(555) 010-2306",
        "Plan type": "Mentee-focused",
        "Meeting day": "Wednesday",
        "Meeting time": t("14:45"),
        "Meeting length (minutes)": 60,
        "Meeting mode": "Hybrid",
        "Meeting place": "Science lab 2 (or https://meet.example.org/cvusd-p03)",
        "Frequency": "Monthly",
        "Cancellation plan": "Move to the following Wednesday; never skip two months in a row.",
        "Informal contact": "Stops by each other's lab during the shared prep period.",
        "Status": "Active",
        "School": "Jefferson Middle School",
    },
    {
        "Pair ID": "P04",
        "Mentor name": "Siobhán Ní Bhriain",
        "Mentor role": "High school English teacher",
        "Mentor email": "siobhan.nibhriain@example.org",
        "Mentor phone": "(555) 010-2307",
        "Mentee name": "Kwame Mensah",
        "Mentee role": "First-year English teacher",
        "Mentee email": "kwame.mensah@example.org",
        "Mentee phone": "(555) 010-2308",
        "Plan type": "Coaching",
        "Meeting day": "Monday",
        "Meeting time": t("15:15"),
        "Meeting length (minutes)": 40,
        "Meeting mode": "In person",
        "Meeting place": "English department office",
        "Frequency": "Weekly",
        "Cancellation plan": "Swap to Tuesday at the same time.",
        "Informal contact": "Email; co-planning on the department's shared drive.",
        "Status": "Active",
        "School": "Cedar Valley High School",
    },
    {
        "Pair ID": "P05",
        "Mentor name": "Nguyễn Thị Hoa",
        "Mentor role": "Kindergarten teacher",
        "Mentor email": "hoa.nguyen@example.org",
        "Mentor phone": "(555) 010-2309",
        "Mentee name": "Zoë Müller-Schmidt",
        "Mentee role": "First-year kindergarten teacher",
        "Mentee email": "zoe.mueller-schmidt@example.org",
        "Mentee phone": "(555) 010-2310",
        "Plan type": "Mentee-focused",
        "Meeting day": "Wednesday",
        "Meeting time": t("15:00"),
        "Meeting length (minutes)": 45,
        "Meeting mode": "In person",
        "Meeting place": "Kindergarten wing, Room 3",
        "Frequency": "Weekly",
        "Cancellation plan": "Reschedule to Thursday after dismissal.",
        "Informal contact": "Morning hellos at drop-off; a shared notebook of questions.",
        "Status": "Active",
        "School": "Roosevelt Elementary",
    },
    {
        "Pair ID": "P06",
        "Mentor name": "Γιώργος Παπαδόπουλος",
        "Mentor role": "Algebra teacher, math department lead",
        "Mentor email": "giorgos.papadopoulos@example.org",
        "Mentor phone": "(555) 010-2311",
        "Mentee name": "Aaliyah Johnson",
        "Mentee role": "Second-year geometry teacher",
        "Mentee email": "aaliyah.johnson@example.org",
        "Mentee phone": "(555) 010-2312",
        "Plan type": "Mutual growth",
        "Meeting day": "Wednesday",
        "Meeting time": t("07:30"),
        "Meeting length (minutes)": 50,
        "Meeting mode": "In person",
        "Meeting place": "Math workroom, Cedar Valley High",
        "Frequency": "Monthly",
        "Cancellation plan": "Move to the next Wednesday morning.",
        "Informal contact": "Drop-ins after department meetings.",
        "Status": "Active",
        "School": "Cedar Valley High School",
    },
    {
        "Pair ID": "P07",
        "Mentor name": "Hiroshi Tanaka 田中浩",
        "Mentor role": "Special education teacher",
        "Mentor email": "hiroshi.tanaka@example.org",
        "Mentor phone": "(555) 010-2313",
        "Mentee name": "Sofía Ramírez-Ortega",
        "Mentee role": "First-year special education teacher",
        "Mentee email": "sofia.ramirez-ortega@example.org",
        "Mentee phone": "(555) 010-2314",
        "Plan type": "Mentee-focused",
        "Meeting day": "Friday",
        "Meeting time": t("13:30"),
        "Meeting length (minutes)": 45,
        "Meeting mode": "In person",
        "Meeting place": "Learning center, Roosevelt Elementary",
        "Frequency": "Every 2 weeks",
        "Cancellation plan": "Text the other person as early as possible; meet the following Monday.",
        "Informal contact": "Text messages; IEP-season check-ins as needed.",
        "Status": "Active",
        "School": "Roosevelt Elementary",
    },
    {
        "Pair ID": "P08",
        "Mentor name": "Marie-Claire Dubois",
        "Mentor role": "French and Spanish teacher",
        "Mentor email": "marie-claire.dubois@example.org",
        "Mentor phone": "(555) 010-2315",
        "Mentee name": "Tomasz Wiśniewski",
        "Mentee role": "First-year world languages teacher",
        "Mentee email": "tomasz.wisniewski@example.org",
        "Mentee phone": "(555) 010-2316",
        "Plan type": "Mentee-focused",
        "Meeting day": None,  # paused: no schedule until the pair resumes
        "Meeting time": None,
        "Meeting length (minutes)": None,
        "Meeting mode": "In person",
        "Meeting place": "Room 208, Cedar Valley High",
        "Frequency": None,
        "Cancellation plan": "Agreed again when the pair resumes.",
        "Informal contact": "Email.",
        "Status": "Paused",
        "School": "Cedar Valley High School",
    },
    {
        "Pair ID": "P09",
        "Mentor name": "Oluwaseun Adeyemi",
        "Mentor role": "Grade 5 teacher",
        "Mentor email": "seun.adeyemi@example.org",
        "Mentor phone": "(555) 010-2317",
        "Mentee name": "अनन्या शर्मा",
        "Mentee role": "First-year Grade 5 teacher",
        "Mentee email": "ananya.sharma@example.org",
        "Mentee phone": "(555) 010-2318",
        "Plan type": "Mentee-focused + Coaching",
        "Meeting day": "Tuesday",
        "Meeting time": t("15:20"),
        "Meeting length (minutes)": 45,
        "Meeting mode": "In person",
        "Meeting place": "Room 22, Lincoln Elementary",
        "Frequency": "Monthly",
        "Cancellation plan": "Meet the Tuesday after instead.",
        "Informal contact": "Shared planning period on Thursdays.",
        "Status": "Active",
        "School": "Lincoln Elementary",
    },
    {
        "Pair ID": "P10",
        "Mentor name": "Jean-Luc N'Diaye",
        "Mentor role": "Physical education teacher",
        "Mentor email": "jeanluc.ndiaye@example.org",
        "Mentor phone": "(555) 010-2319",
        "Mentee name": "Björn Andersson",
        "Mentee role": "First-year PE teacher",
        "Mentee email": "bjorn.andersson@example.org",
        "Mentee phone": "(555) 010-2320",
        "Plan type": "Mutual growth + Coaching",
        "Meeting day": "Monday",
        "Meeting time": t("14:30"),
        "Meeting length (minutes)": 30,
        "Meeting mode": "In person",
        "Meeting place": "Gym office, Jefferson Middle",
        "Frequency": "Every 2 weeks",
        "Cancellation plan": "Move to Wednesday at the same time.",
        "Informal contact": "Chats during shared lunch duty.",
        "Status": "Active",
        "School": "Jefferson Middle School",
    },
    {
        "Pair ID": "P11",
        "Mentor name": "Rachel Goldberg",
        "Mentor role": "Grade 1 teacher",
        "Mentor email": "rachel.goldberg@example.org",
        "Mentor phone": "(555) 010-2321",
        "Mentee name": "Ngozi Okafor",
        "Mentee role": "First-year Grade 1 teacher",
        "Mentee email": "ngozi.okafor@example.org",
        "Mentee phone": "(555) 010-2322",
        "Plan type": "Mentee-focused",
        "Meeting day": "Thursday",
        "Meeting time": t("15:10"),
        "Meeting length (minutes)": 45,
        "Meeting mode": "In person",
        "Meeting place": "Room 9, Roosevelt Elementary",
        "Frequency": "Weekly",
        "Cancellation plan": "Reschedule within the week; tell the coordinator if two are missed.",
        "Informal contact": "Text messages and hallway check-ins.",
        "Status": "Active",
        "School": "Roosevelt Elementary",
    },
    {
        # A teacher hired mid-year: the pair starts in January.
        "Pair ID": "P12",
        "Mentor name": "Mateus Araújo",
        "Mentor role": "Music teacher",
        "Mentor email": "mateus.araujo@example.org",
        "Mentor phone": "(555) 010-2323",
        "Mentee name": "Chloé Lefèvre",
        "Mentee role": "Music teacher (hired January 2027)",
        "Mentee email": "chloe.lefevre@example.org",
        "Mentee phone": "(555) 010-2324",
        "Plan type": "Mentee-focused",
        "Meeting day": "Friday",
        "Meeting time": t("14:00"),
        "Meeting length (minutes)": 45,
        "Meeting mode": "In person",
        "Meeting place": "Band room, Cedar Valley High",
        "Frequency": "Weekly",
        "Start date": d("2027-01-11"),
        "Cancellation plan": "Move to the next school day after rehearsal.",
        "Informal contact": "Email; shared concert planning document.",
        "Status": "Active",
        "School": "Cedar Valley High School",
    },
]

# Pair ID, Goal #, Goal, Horizon, Mentor support, Mentee accountable for, Measure, Target date,
# Whose goal (blank: the mentee's). For a mentor's goal, Mentor support is the mentor's own plan
# and Mentee accountable for how the mentee helps; for a joint goal, each one's part.
GOALS: list[tuple[Any, ...]] = [
    (
        "P01",
        1,
        "Establish consistent morning and transition routines (CSTP 2).",
        "Short-term",
        "Models routines in her room; observes one morning and gives feedback.",
        "Teaches and practises the routines daily for the first three weeks.",
        "Transitions take under two minutes on three observed days.",
        d("2026-10-09"),
    ),
    (
        "P01",
        2,
        "Use small-group guided reading for every reading level (CSTP 4).",
        "Long-term",
        "Shares leveled-text sets and co-plans the first two weeks of groups.",
        "Runs four groups a week and keeps running records.",
        "Running records show each group moving up at least one level by March.",
        d("2027-03-19"),
    ),
    (
        "P01",
        3,
        "Build two-way communication with families (CSTP 1).",
        "Long-term",
        "Reviews the first newsletter and role-plays a difficult conversation.",
        "Sends a weekly newsletter and makes one positive call per student by November.",
        "Contact log shows every family reached.",
        d("2026-11-20"),
    ),
    (
        "P02",
        1,
        "Plan math lessons around student discourse (CSTP 3).",
        "Long-term",
        "Brings number-talk routines; co-plans one unit.",
        "Tries a number talk three times a week and records student strategies.",
        "Video of one lesson shows students explaining strategies to each other.",
        d("2027-02-26"),
    ),
    (
        "P02",
        2,
        "Use formative checks to regroup students weekly (CSTP 5).",
        "Short-term",
        "Shares exit-ticket templates and a tracking sheet.",
        "Gives an exit ticket each day and regroups every Monday.",
        "Tracking sheet in use for six consecutive weeks.",
        d("2026-12-11"),
    ),
    (
        "P02",
        1,
        "Learn to run engaging online check-ins.",
        "Short-term",
        "Asks for feedback after each call.",
        "Gives honest feedback on what works online.",
        "Both rate the calls 4 of 5 or better by the mid-point check.",
        d("2027-01-22"),
        "Mentor",
    ),
    (
        "P03",
        1,
        "Run safe, well-organized lab activities (CSTP 2).",
        "Short-term",
        "Walks through the lab safety checklist and observes the first lab.",
        "Completes the safety checklist before every lab.",
        "No safety incidents; checklist on file for each lab.",
        d("2026-10-30"),
    ),
    (
        "P03",
        2,
        "Design inquiry lessons aligned to NGSS performance expectations (CSTP 3, 4).",
        "Long-term",
        "Shares two inquiry units and reviews one new unit plan.",
        "Writes and teaches one inquiry unit per semester.",
        "Unit plans reviewed; student work samples collected.",
        d("2027-05-14"),
    ),
    (
        "P03",
        3,
        "Support English learners in science talk (CSTP 1).",
        "Long-term",
        "Models sentence frames and vocabulary walls.",
        "Uses sentence frames in every lab discussion.",
        "Two observations note English learners contributing to discussions.",
        d("2027-04-16"),
    ),
    (
        "P03",
        4,
        "Keep grading manageable: feedback within a week (CSTP 6).",
        "Short-term",
        "Shares rubrics and a grading calendar.",
        "Returns lab reports within five school days.",
        "Gradebook dates show returns within a week.",
        d("2026-12-18"),
    ),
    (
        "P04",
        1,
        "Find out which discussion protocols get the whole class talking about literature (CSTP 1, 4).",
        "Long-term",
        "Tries one protocol a month with her seniors and is observed by the mentee.",
        "Tries the same protocol with his freshmen and is observed by the mentor.",
        "Talk tallies show at least half of each class speaking by April.",
        d("2027-04-30"),
        "Joint",
    ),
    (
        "P04",
        2,
        "Give essay feedback students act on (CSTP 5).",
        "Short-term",
        "Grades five sample essays with the shared rubric.",
        "Grades the same five; both compare and agree the feedback.",
        "Students revise at least one essay using the feedback.",
        d("2026-12-04"),
        "Joint",
    ),
    (
        "P06",
        1,
        "Mentee: use visual models to teach proof (CSTP 3).",
        "Long-term",
        "Shares a proof-writing sequence with diagrams.",
        "Pilots the sequence with one class.",
        "Unit test proof scores improve on last year's.",
        d("2027-03-05"),
    ),
    (
        "P06",
        1,
        "Bring more student choice into algebra practice.",
        "Long-term",
        "Tries one choice board per unit.",
        "Visits one lesson and gives feedback on the choice board.",
        "Student survey shows more engagement.",
        d("2027-04-23"),
        "Mentor",
    ),
    (
        "P06",
        2,
        "Co-plan one cross-course project (CSTP 4).",
        "Short-term",
        "Drafts the project outline.",
        "Drafts the rubric.",
        "Project taught in both classes.",
        d("2026-12-18"),
    ),
    (
        "P07",
        1,
        "Write compliant, student-centred IEP goals (CSTP 4, 6).",
        "Short-term",
        "Reviews the first three IEP drafts before meetings.",
        "Drafts goals two weeks ahead of each meeting.",
        "All IEPs on time and signed off without revision.",
        d("2026-11-13"),
    ),
    (
        "P07",
        2,
        "Collaborate with general-education teachers on accommodations (CSTP 6).",
        "Long-term",
        "Introduces the grade-level teams and models a co-planning meeting.",
        "Meets each co-teacher monthly.",
        "Accommodation checklists shared for every student.",
        d("2027-02-12"),
    ),
    (
        "P07",
        3,
        "Track progress toward IEP goals with simple data (CSTP 5).",
        "Long-term",
        "Shares a progress-monitoring spreadsheet.",
        "Updates data every two weeks.",
        "Progress reports written from data each quarter.",
        d("2027-05-28"),
    ),
    (
        "P09",
        1,
        "Plan lessons that reach every reading group (CSTP 4).",
        "Short-term",
        "Shares a week of differentiated plans.",
        "Plans one differentiated lesson a day.",
        "Every group has its own task in three observed lessons.",
        d("2026-12-11"),
    ),
    (
        "P09",
        1,
        "Find out how student-led discussions work in Grade 5 science (CSTP 1).",
        "Long-term",
        "Tries discussion roles in his class and is observed.",
        "Tries the same roles and is observed.",
        "Observation notes show students asking each other questions.",
        d("2027-04-16"),
        "Joint",
    ),
    (
        "P10",
        1,
        "Build quick, safe routines for gym transitions (CSTP 2).",
        "Short-term",
        "Shows his whistle-free start routine.",
        "Practises the routine with every class for three weeks.",
        "Warm-ups start within three minutes of the bell.",
        d("2026-10-30"),
    ),
    (
        "P10",
        1,
        "Give feedback that asks more than it tells.",
        "Long-term",
        "Records two debriefs a month and counts his questions.",
        "Says when a question helped more than advice.",
        "Twice as many questions as suggestions by March.",
        d("2027-03-12"),
        "Mentor",
    ),
    (
        "P10",
        1,
        "Find out which warm-up formats keep every student moving (CSTP 1).",
        "Long-term",
        "Tries station warm-ups and is observed.",
        "Tries partner warm-ups and is observed.",
        "Activity counts from four observations.",
        d("2027-05-07"),
        "Joint",
    ),
    (
        "P11",
        None,
        "Teach phonics with a consistent daily routine (CSTP 3).",
        "Short-term",
        "Models the routine and observes once.",
        "Teaches the routine every day.",
        "Benchmark scores rise for two thirds of the class.",
        d("2026-12-11"),
    ),
    (
        "P11",
        None,
        "Set up learning centers students run on their own (CSTP 2).",
        "Short-term",
        "Shares center rotation charts.",
        "Launches one new center every two weeks.",
        "Students rotate without adult help by November.",
        d("2026-11-20"),
    ),
    (
        "P11",
        None,
        "Plan report-card conferences with families (CSTP 1).",
        "Short-term",
        "Role-plays a conference.",
        "Prepares a one-page summary per student.",
        "Every family offered a conference.",
        d("2026-11-06"),
    ),
    (
        "P12",
        1,
        "Get to know the ensembles and their routines (CSTP 2).",
        "Short-term",
        "Introduces section leaders and shares rehearsal plans.",
        "Observes two rehearsals, then leads rehearsals with the mentor present.",
        "Leads rehearsals alone by February.",
        d("2027-02-12"),
    ),
    (
        "P12",
        2,
        "Prepare the spring concert (CSTP 4).",
        "Long-term",
        "Shares last year's concert timeline.",
        "Builds the program and rehearsal schedule.",
        "Concert held on schedule.",
        d("2027-05-21"),
    ),
    (
        "P12",
        3,
        "Learn the district's grading and reporting tools (CSTP 6).",
        "Short-term",
        "Walks through the gradebook once.",
        "Enters grades weekly.",
        "Report cards submitted on time.",
        d("2027-03-26"),
    ),
]

# Explicit meetings for P01 and P03; the others get a schedule worked out from their
# meeting day, time and frequency.
MEETINGS: list[tuple[Any, ...]] = [
    ("P01", d("2026-09-01"), t("15:30"), None, "Getting to know each other; the action plan"),
    ("P01", d("2026-09-15"), t("15:30"), None, "Classroom routines: what is working"),
    ("P01", d("2026-09-29"), t("15:30"), None, "Goal sheet; first observation planned"),
    ("P01", d("2026-10-13"), t("15:30"), None, "Debrief of the observation"),
    ("P01", d("2026-10-27"), t("15:30"), "Library, Lincoln Elementary", "Guided reading groups"),
    ("P01", d("2026-11-10"), t("15:30"), None, "Parent conferences: preparation"),
    ("P01", d("2026-12-08"), t("15:30"), None, "Assessment data; planning for January"),
    ("P01", d("2027-01-12"), t("15:30"), None, "Mid-point check preparation"),
    ("P01", d("2027-02-09"), t("15:30"), None, "Reading levels: progress review"),
    ("P01", d("2027-03-09"), t("15:30"), None, "Testing season"),
    ("P01", d("2027-04-13"), t("15:30"), None, "Family communication: spring"),
    ("P01", d("2027-05-11"), t("15:30"), None, "Reflection and next year"),
    ("P03", d("2026-09-02"), t("14:45"), None, "Lab safety walk-through"),
    ("P03", d("2026-10-07"), t("14:45"), None, "First lab debrief"),
    (
        "P03",
        d("2026-11-04"),
        t("14:45"),
        "https://meet.example.org/cvusd-p03",
        "Inquiry unit planning (online)",
    ),
    ("P03", d("2026-12-02"), t("14:45"), None, "Grading workload"),
    ("P03", d("2027-01-13"), t("14:45"), None, "Mid-point check"),
    (
        "P03",
        d("2027-02-03"),
        t("14:45"),
        "https://meet.example.org/cvusd-p03",
        "English learners in science talk (online)",
    ),
    ("P03", d("2027-03-03"), t("14:45"), None, "Observation and debrief"),
    ("P03", d("2027-04-07"), t("14:45"), None, "Second inquiry unit"),
    ("P03", d("2027-05-05"), t("14:45"), None, "Year in review"),
]

COMMITMENTS: list[tuple[Any, ...]] = [
    (None, "Attendance", "We will meet at the agreed time and place and start on time."),
    (
        None,
        "Attendance",
        "We will give at least 24 hours' notice if we must cancel, and reschedule within the same week.",
    ),
    (
        None,
        "Participation",
        "We will come to each meeting with a question, a success or a challenge to discuss.",
    ),
    (
        None,
        "Participation",
        "We will both attend the district's three new-teacher network sessions.",
    ),
    (
        None,
        "Interaction",
        "We will listen without judging and give feedback that is specific and kind.",
    ),
    (
        None,
        "Interaction",
        "We will keep what we discuss confidential, except where student safety requires otherwise.",
    ),
    (None, "Other", "We will tell the program coordinator early if the pairing is not working."),
    ("P02", "Interaction", "We will keep cameras on during our online meetings when we can."),
    (
        "P04",
        "Participation",
        "We will complete one full coaching cycle (plan, observe, debrief) each month.",
    ),
    (
        "P12",
        "Other",
        "We will review the first semester's materials together in the first two weeks.",
    ),
]

# Name, First day, Last day: the district's school holidays; worked-out schedules skip them.
BREAKS: list[tuple[Any, ...]] = [
    ("Thanksgiving break", d("2026-11-23"), d("2026-11-27")),
    ("Winter break", d("2026-12-21"), d("2027-01-01")),
    ("Spring break", d("2027-03-29"), d("2027-04-02")),
]

CALENDAR: list[tuple[str, str, str | None]] = [
    (
        "August",
        "Meet before students arrive; tour the school and classroom together.",
        "Use the welcome checklist.",
    ),
    ("August", "Set up the classroom and plan the first week's routines.", None),
    (
        "September",
        "Fill in and sign the action plan, terms of engagement and confidentiality agreement.",
        "Forms are due 25 September.",
    ),
    (
        "September",
        "Agree on three to five goals and fill in the goal sheet.",
        "Link each goal to a CSTP standard.",
    ),
    ("September", "Prepare for Back-to-School Night together.", None),
    ("October", "Mentor observes one lesson; debrief within two days.", "Focus on one goal only."),
    ("October", "Mentee observes the mentor or another teacher.", None),
    ("November", "Prepare parent-teacher conferences; role-play a difficult conversation.", None),
    ("November", "Review the first grading period's data.", None),
    ("December", "Reflect on the first semester; adjust goals if needed.", None),
    ("December", "Plan for a restful break: workload and wellbeing check.", None),
    ("January", "Mid-point check with the program coordinator.", "Bring the goal sheet."),
    ("January", "Set priorities for the second semester.", None),
    ("February", "Second observation cycle (plan, observe, debrief).", None),
    ("February", "Look at student work together using a protocol.", None),
    ("March", "Prepare students for state testing without losing instruction time.", None),
    ("March", "Mentee attends a professional development session of their choice.", None),
    ("April", "Review progress on every goal with evidence.", None),
    ("April", "Plan end-of-year assessments and family communication.", None),
    ("May", "Write a short reflection on the year for the portfolio.", None),
    ("May", "Celebrate successes; set a goal for next year.", None),
    ("June", "Close out: complete the final program survey and return all forms.", None),
    ("June", "Thank-you note and hand-off of shared resources.", None),
]


def _headers(sheet: Any) -> list[str]:
    return [cell.value for cell in sheet[1] if cell.value is not None]


def _fill_table(sheet: Any, rows: list[tuple[Any, ...]]) -> None:
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=row_number, column=column, value=value)


def build() -> bytes:
    workbook = new_workbook()
    program = workbook["Program"]
    settings = {program.cell(row=r, column=1).value: r for r in range(2, program.max_row + 1)}
    for name, value in PROGRAM:
        program.cell(row=settings[name], column=2, value=value)

    pairs = workbook["Pairs"]
    headers = _headers(pairs)
    school_column = len(headers) + 1
    school = pairs.cell(row=1, column=school_column, value="School")
    school.font = Font(bold=False, color="000000")
    school.fill = PatternFill("solid", fgColor="E2EFDA")
    school.alignment = Alignment(vertical="center")
    school.comment = Comment(
        "A custom column: mentordocs keeps it and templates can use it as pair.extra['school'].",
        "mentordocs",
        width=260,
        height=80,
    )
    pairs.column_dimensions["V"].width = 26
    for row_number, pair in enumerate(PAIRS, start=2):
        for column, header in enumerate([*headers, "School"], start=1):
            value = pair.get(header)
            if value is not None:
                pairs.cell(row=row_number, column=column, value=value)

    _fill_table(workbook["Goals"], GOALS)
    _fill_table(workbook["Meetings"], MEETINGS)
    _fill_table(workbook["Commitments"], COMMITMENTS)
    _fill_table(workbook["Calendar"], CALENDAR)
    _fill_table(workbook["Breaks"], BREAKS)

    workbook.properties.creator = "mentordocs sample"
    workbook.properties.lastModifiedBy = "mentordocs sample"
    workbook.properties.title = (
        "Cedar Valley USD: New Teacher Mentoring Program 2026-27 (fictional sample)"
    )
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def _deterministic_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps, so every build gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 8, 3, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            target.writestr(fixed, content)
    return out.getvalue()


def main() -> None:
    expected = {spec.name for spec in SHEETS}
    data = build()
    OUTPUT.write_bytes(data)
    print(
        f"Wrote {OUTPUT.relative_to(HERE.parent)} ({len(data):,} bytes; sheets: {', '.join(sorted(expected))})."
    )


if __name__ == "__main__":
    main()
