#!/usr/bin/env bash
# Makes the import test fixtures in domain/tests/fixtures/libreoffice/ with real LibreOffice Calc:
# writes users.csv (UTF-8, separator ';') and has headless soffice convert it to users.xlsx,
# users.xls and users.ods. Column 8 (Personeelsnummer) is imported as text so "00123" keeps its
# leading zeros; column 7 (Vervaldatum) as a year-month-day date so it becomes a date cell.
# The outputs are committed, so CI does not need LibreOffice; run this only to remake them
# (needs `apt-get install --no-install-recommends libreoffice-calc-nogui`).
set -euo pipefail
cd "$(dirname "$0")/.."

out=domain/tests/fixtures/libreoffice
mkdir -p "$out"

cat >"$out/users.csv" <<'CSV'
Actie;Gebruikersnaam;Voornaam;Achternaam;E-mail;Wachtwoord;Vervaldatum;Personeelsnummer;Subsite;Rollen
+;lo.anna;Anna;Peeters;anna.peeters@example.org;;2027-08-31;P-001;;
+;lo.bram;Bram;Élève;bram@example.org;Welkom-2026!;;;;
+;lo.chloé;Chloé;Dubois;;;;00123;;
CSV

# A private profile, so soffice runs as root without a desktop and leaves no state behind.
profile=/tmp/lo-profile-$$
trap 'rm -rf "$profile"' EXIT

# CSV import options: separator 59 (';'), text delimiter 34 ('"'), charset 76 (UTF-8), start at
# line 1, then column formats (1 standard, 2 text, 5 YY/MM/DD): column 7 a date, column 8 text.
infilter='CSV:59,34,76,1,1/1/2/1/3/1/4/1/5/1/6/1/7/5/8/2/9/1/10/1'

for filter in 'xlsx:Calc MS Excel 2007 XML' 'xls:MS Excel 97' 'ods:calc8'; do
    soffice -env:UserInstallation="file://$profile" --headless \
        --infilter="$infilter" --convert-to "$filter" --outdir "$out" "$out/users.csv"
done
