"""Writes a OneRoster 1.2 bulk export of a large school group to the zip named on the command
line: SCHOOLS schools of CLASSES classes each (defaults 50 and 99: 5,000 sites with the
schools), without pupils but one, Émile Dübois in the first class (the accent-folded search's
example). The end-to-end test of a large organisation imports it. Deterministic."""
import csv, io, sys, zipfile

STAMP = "2026-09-01T08:00:00.000Z"
HEADERS = {
    "orgs": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
    "academicSessions": ["sourcedId", "status", "dateLastModified", "title", "type", "startDate",
                         "endDate", "parentSourcedId", "schoolYear"],
    "courses": ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
                "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"],
    "classes": ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
                "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
                "subjects", "subjectCodes", "periods"],
    "users": ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
              "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
              "agentSourcedIds", "grades", "password", "userMasterIdentifier",
              "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
              "preferredFamilyName", "primaryOrgSourcedId", "pronouns"],
    "roles": ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
              "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"],
    "enrollments": ["sourcedId", "status", "dateLastModified", "classSourcedId",
                    "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"],
}
FILES = ["academicSessions", "classes", "courses", "enrollments", "orgs", "roles", "users"]


def rows(name, records):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS[name])
    for record in records:
        writer.writerow([record.get(h, "") for h in HEADERS[name]])
    return buffer.getvalue()


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
    manifest = [("manifest.version", "1.0"), ("oneroster.version", "1.2")]
    manifest += [(f"file.{name}", "bulk") for name in FILES]
    manifest += [("source.systemName", "Licentia large roster"), ("source.systemCode", "large")]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["propertyName", "value"])
    writer.writerows(manifest)
    files = {
        "manifest.csv": buffer.getvalue(),
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
