"""Writes a OneRoster 1.2 bulk export of a large school group to the zip named on the command
line: SCHOOLS schools of CLASSES classes each (defaults 50 and 99: 5,000 sites with the
schools), without pupils but one, Émile Dübois in the first class (the accent-folded search's
example). The end-to-end test of a large organisation imports it. Deterministic."""
import importlib.util, io, os, sys, zipfile

# The OneRoster columns, CSV writing and manifest of the fixtures' script.
_spec = importlib.util.spec_from_file_location(
    "fixtures", os.path.join(os.path.dirname(__file__), "make-oneroster-fixtures.py"))
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)
rows, STAMP = fixtures.rows, fixtures.STAMP
FILES = ["academicSessions", "classes", "courses", "enrollments", "orgs", "roles", "users"]


def main(path, schools=50, classes=99):
    orgs = [{"sourcedId": "org-d", "status": "active", "dateLastModified": STAMP,
             "name": "Scholengroep Groot", "type": "district", "identifier": "SG-99"}]
    courses, groups = [], []
    for s in range(1, schools + 1):
        school = f"org-s{s}"
        orgs.append({"sourcedId": school, "status": "active", "dateLastModified": STAMP,
                     "name": f"School {s:02d}", "type": "school", "identifier": f"9{s:05d}",
                     "parentSourcedId": "org-d"})
        courses.append({"sourcedId": f"co-{s}", "status": "active", "dateLastModified": STAMP,
                        "schoolYearSourcedId": "as-2026", "title": "Leerjaar", "grades": "01",
                        "orgSourcedId": school})
        for c in range(1, classes + 1):
            groups.append({"sourcedId": f"cl-{s}-{c}", "status": "active",
                           "dateLastModified": STAMP, "title": f"Klas {s:02d}-{c:02d}",
                           "grades": "01", "courseSourcedId": f"co-{s}",
                           "classCode": f"K{s}-{c}", "classType": "homeroom",
                           "schoolSourcedId": school, "termSourcedIds": "as-2026"})
    sessions = [{"sourcedId": "as-2026", "status": "active", "dateLastModified": STAMP,
                 "title": "2026-2027", "type": "schoolYear", "startDate": "2026-09-01",
                 "endDate": "2027-06-30", "schoolYear": "2027"}]
    pupil = {"sourcedId": "u-emile", "status": "active", "dateLastModified": STAMP,
             "enabledUser": "true", "username": "emile.dubois", "givenName": "Émile",
             "familyName": "Dübois", "identifier": "7001", "primaryOrgSourcedId": "org-s1"}
    role = {"sourcedId": "r-emile", "status": "active", "dateLastModified": STAMP,
            "userSourcedId": "u-emile", "roleType": "primary", "role": "student",
            "orgSourcedId": "org-s1"}
    enrollment = {"sourcedId": "e-emile", "status": "active", "dateLastModified": STAMP,
                  "classSourcedId": "cl-1-1", "schoolSourcedId": "org-s1",
                  "userSourcedId": "u-emile", "role": "student", "primary": "false"}
    files = {
        "manifest.csv": fixtures.manifest({name: "bulk" for name in FILES}),
        "orgs.csv": rows("orgs", orgs),
        "academicSessions.csv": rows("academicSessions", sessions),
        "courses.csv": rows("courses", courses),
        "classes.csv": rows("classes", groups),
        "users.csv": rows("users", [pupil]),
        "roles.csv": rows("roles", [role]),
        "enrollments.csv": rows("enrollments", [enrollment]),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2026, 9, 1, 8, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:4]))
