"""Writes the OneRoster 1.2 CSV fixtures (domain/tests/fixtures/oneroster/): a first bulk
export (a district, 2 schools, 12 classes, 300 pupils, 20 teachers) and a later delta export
that moves, adds and removes, each as a zip. Deterministic: run it again and nothing changes.
Columns as the 1EdTech OneRoster 1.2 CSV binding orders them (roles in roles.csv)."""
import csv, io, os, zipfile

OUT = os.path.join(os.path.dirname(__file__), "..", "domain", "tests", "fixtures", "oneroster")
STAMP = "2026-09-01T08:00:00.000Z"
LATER = "2026-10-15T08:00:00.000Z"
GIVEN = ["Emma", "Noah", "Lotte", "Liam", "Mila", "Lucas", "Julie", "Finn", "Nora", "Arthur",
         "Louise", "Jules", "Elise", "Victor", "Marie", "Mathis", "Fien", "Lars", "Ella", "Wout"]
FAMILY = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
          "Wouters", "De Smet", "Dubois", "Lambert", "Dupont", "Martens", "Hermans"]

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


def rows(name, records):
    header = HEADERS[name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for record in records:
        writer.writerow([record.get(h, "") for h in header])
    return buffer.getvalue()


def manifest(processing):
    lines = [("manifest.version", "1.0"), ("oneroster.version", "1.2")]
    for name in ["academicSessions", "categories", "classes", "classResources", "courses",
                 "courseResources", "demographics", "enrollments", "lineItemLearningObjectiveIds",
                 "lineItems", "lineItemScoreScales", "orgs", "resources", "results",
                 "resultLearningObjectiveIds", "resultScoreScales", "roles", "scoreScales",
                 "userProfiles", "userResources", "users"]:
        lines.append((f"file.{name}", processing.get(name, "absent")))
    lines += [("source.systemName", "Licentia fixtures"), ("source.systemCode", "fixtures")]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["propertyName", "value"])
    writer.writerows(lines)
    return buffer.getvalue()


def write(name, files):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(OUT, f"{name}.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file, content in sorted(files.items()):
            info = zipfile.ZipInfo(file, date_time=(2026, 9, 1, 8, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
            with open(os.path.join(folder, file), "w", encoding="utf-8", newline="") as out:
                out.write(content)


def person(n, role, school, stamp=STAMP, status="active"):
    given, family = GIVEN[n % len(GIVEN)], FAMILY[(n // len(GIVEN)) % len(FAMILY)]
    prefix = "lk" if role == "student" else "lkr"
    return {
        "sourcedId": f"u-{role[0]}{n:03d}", "status": status, "dateLastModified": stamp,
        "enabledUser": "true", "username": f"{prefix}.{given.lower()}.{n:03d}",
        "givenName": given, "familyName": family, "identifier": f"{1000 + n}",
        "email": f"{prefix}.{given.lower()}.{n:03d}@scholengroep.example",
        "primaryOrgSourcedId": school,
    }


def main():
    schools = [("org-s1", "Basisschool De Linde", "012345"), ("org-s2", "Basisschool Het Anker", "067890")]
    orgs = [{"sourcedId": "org-d1", "status": "active", "dateLastModified": STAMP,
             "name": "Scholengroep Zuiderkempen", "type": "district", "identifier": "SG-17"}]
    orgs += [{"sourcedId": s, "status": "active", "dateLastModified": STAMP, "name": name,
              "type": "school", "identifier": ident, "parentSourcedId": "org-d1"}
             for s, name, ident in schools]
    sessions = [{"sourcedId": "as-2026", "status": "active", "dateLastModified": STAMP,
                 "title": "2026-2027", "type": "schoolYear", "startDate": "2026-09-01",
                 "endDate": "2027-06-30", "schoolYear": "2027"}]
    courses, classes = [], []
    for si, (school, _, _) in enumerate(schools):
        for grade in range(1, 7):
            courses.append({"sourcedId": f"co-{si + 1}-{grade}", "status": "active",
                            "dateLastModified": STAMP, "schoolYearSourcedId": "as-2026",
                            "title": f"Leerjaar {grade}", "grades": f"{grade:02d}",
                            "orgSourcedId": school})
            classes.append({"sourcedId": f"cl-{si + 1}-{grade}", "status": "active",
                            "dateLastModified": STAMP, "title": f"{grade}{'AB'[si]}",
                            "grades": f"{grade:02d}", "courseSourcedId": f"co-{si + 1}-{grade}",
                            "classCode": f"{grade}{'AB'[si]}", "classType": "homeroom",
                            "schoolSourcedId": school, "termSourcedIds": "as-2026"})
    users, roles, enrollments = [], [], []
    for n in range(300):
        cls = classes[n // 25]
        school = cls["schoolSourcedId"]
        user = person(n, "student", school)
        users.append(user)
        roles.append({"sourcedId": f"r-{user['sourcedId']}", "status": "active",
                      "dateLastModified": STAMP, "userSourcedId": user["sourcedId"],
                      "roleType": "primary", "role": "student", "orgSourcedId": school})
        enrollments.append({"sourcedId": f"e-{user['sourcedId']}", "status": "active",
                            "dateLastModified": STAMP, "classSourcedId": cls["sourcedId"],
                            "schoolSourcedId": school, "userSourcedId": user["sourcedId"],
                            "role": "student", "primary": "false"})
    for n in range(20):
        school = schools[n // 10][0]
        user = person(n, "teacher", school)
        users.append(user)
        roles.append({"sourcedId": f"r-{user['sourcedId']}", "status": "active",
                      "dateLastModified": STAMP, "userSourcedId": user["sourcedId"],
                      "roleType": "primary", "role": "teacher", "orgSourcedId": school})
        # Teachers 0–5 and 10–15 teach grades 1–6 of their school; the others the same, in pairs.
        grade = (n % 10) % 6
        cls = classes[(n // 10) * 6 + grade]
        enrollments.append({"sourcedId": f"e-{user['sourcedId']}", "status": "active",
                            "dateLastModified": STAMP, "classSourcedId": cls["sourcedId"],
                            "schoolSourcedId": school, "userSourcedId": user["sourcedId"],
                            "role": "teacher", "primary": "true"})
    # A parent, who is not imported.
    parent = person(0, "guardian", "org-s1")
    parent["sourcedId"] = "u-p000"
    parent["username"] = "ouder.emma"
    users.append(parent)
    roles.append({"sourcedId": "r-u-p000", "status": "active", "dateLastModified": STAMP,
                  "userSourcedId": "u-p000", "roleType": "primary", "role": "parent",
                  "orgSourcedId": "org-s1"})

    write("first", {
        "manifest.csv": manifest({n: "bulk" for n in ["academicSessions", "classes", "courses",
                                                      "enrollments", "orgs", "roles", "users"]}),
        "orgs.csv": rows("orgs", orgs),
        "academicSessions.csv": rows("academicSessions", sessions),
        "courses.csv": rows("courses", courses),
        "classes.csv": rows("classes", classes),
        "users.csv": rows("users", users),
        "roles.csv": rows("roles", roles),
        "enrollments.csv": rows("enrollments", enrollments),
    })

    # The delta, six weeks later: 5 new pupils in 1A, 3 pupils gone from 6B, 4 pupils of 2A moved
    # to 3A (by their enrollments alone), 4B renamed 4B Sterrenklas, a teacher's address changed.
    d_users, d_roles, d_enrollments, d_classes = [], [], [], []
    for n in range(300, 305):
        user = person(n, "student", "org-s1", LATER)
        d_users.append(user)
        d_roles.append({"sourcedId": f"r-{user['sourcedId']}", "status": "active",
                        "dateLastModified": LATER, "userSourcedId": user["sourcedId"],
                        "roleType": "primary", "role": "student", "orgSourcedId": "org-s1"})
        d_enrollments.append({"sourcedId": f"e-{user['sourcedId']}", "status": "active",
                              "dateLastModified": LATER, "classSourcedId": "cl-1-1",
                              "schoolSourcedId": "org-s1", "userSourcedId": user["sourcedId"],
                              "role": "student", "primary": "false"})
    for n in range(297, 300):
        gone = person(n, "student", "org-s2", LATER, "tobedeleted")
        d_users.append(gone)
    for n in range(25, 29):
        d_enrollments.append({"sourcedId": f"e-u-s{n:03d}", "status": "tobedeleted",
                              "dateLastModified": LATER, "classSourcedId": "cl-1-2",
                              "schoolSourcedId": "org-s1", "userSourcedId": f"u-s{n:03d}",
                              "role": "student", "primary": "false"})
        d_enrollments.append({"sourcedId": f"e2-u-s{n:03d}", "status": "active",
                              "dateLastModified": LATER, "classSourcedId": "cl-1-3",
                              "schoolSourcedId": "org-s1", "userSourcedId": f"u-s{n:03d}",
                              "role": "student", "primary": "false"})
    renamed = dict(classes[9])
    renamed.update({"title": "4B Sterrenklas", "dateLastModified": LATER})
    d_classes.append(renamed)
    teacher = person(3, "teacher", "org-s1", LATER)
    teacher["email"] = "nieuw.adres@scholengroep.example"
    d_users.append(teacher)

    write("delta", {
        "manifest.csv": manifest({"classes": "delta", "enrollments": "delta", "roles": "delta",
                                  "users": "delta"}),
        "classes.csv": rows("classes", d_classes),
        "users.csv": rows("users", d_users),
        "roles.csv": rows("roles", d_roles),
        "enrollments.csv": rows("enrollments", d_enrollments),
    })
    print("written to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
