"""Contact exports written the way the tools write them: header rows, encodings, delimiters and phone spellings.

    .venv/bin/python tests/data/make_exports.py OUT_DIR

tests/e2e/test_exports.py writes each one into a temp dir and checks that detection, with no config, maps the
expected columns and that a dry run finds every row valid. Header rows are the tools' own (see the sources in
importer/data/headers.toml); the rows are invented, with numbers spelled as people in each country write them.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl


@dataclass(frozen=True)
class Export:
    name: str
    filename: str
    headers: list[str]
    rows: list[dict[str, str]]  # header -> cell; the other cells are empty
    region: str | None  # --default-region for the dry run (None: the file says the country)
    fields: dict[str, str]  # what detection must map: field -> header
    fallbacks: list[str] = field(default_factory=list)  # other phone columns, in the order they are tried
    unmapped: list[str] = field(default_factory=list)  # look-alike columns that must feed nothing
    layout: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    newline: str = "\r\n"
    preamble: list[list[str]] = field(default_factory=list)  # lines above the header (DATEV's "EXTF" line)
    # Rows by position, for a header written twice (Invoice Ninja's "Phone"): `rows` then counts them only.
    positional: list[list[str]] = field(default_factory=list)

    def table(self) -> list[list[str]]:
        unknown = {h for row in self.rows for h in row} - set(self.headers)
        assert not unknown, f"{self.name}: cells for no column: {unknown}"
        if self.positional:
            return [*self.preamble, self.headers, *self.positional]
        return [*self.preamble, self.headers] + [[row.get(h, "") for h in self.headers] for row in self.rows]

    def write(self, directory: Path) -> Path:
        path = directory / self.filename
        if path.suffix == ".xlsx":
            book = openpyxl.Workbook()
            sheet = book.active
            for line in self.table():
                sheet.append(line)
            book.save(path)
            return path
        text = io.StringIO()
        writer = csv.writer(text, delimiter=self.delimiter, lineterminator=self.newline, quoting=csv.QUOTE_MINIMAL)
        writer.writerows(self.table())
        # "utf-16": Excel's "Unicode text" is UTF-16 little-endian with a BOM, which Python's codec writes.
        path.write_bytes(text.getvalue().encode(self.encoding))
        return path


# --- Outlook, File > Open & Export > Export to a file > Comma Separated Values, in each language -------------
# Outlook for Windows writes the ANSI code page (cp1252 in these languages) and the locale's list separator:
# ";" wherever the decimal separator is a comma.

# English: Outlook for Windows with the US/UK list separator ",".
OUTLOOK_EN = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
    "Business Street", "Business Street 2", "Business Street 3", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home Street", "Home Street 2", "Home Street 3",
    "Home City", "Home State", "Home Postal Code", "Home Country/Region", "Other Street", "Other Street 2",
    "Other Street 3", "Other City", "Other State", "Other Postal Code", "Other Country/Region",
    "Assistant's Phone", "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax",
    "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex", "Account", "Anniversary",
    "Assistant's Name", "Billing Information", "Birthday", "Business Address PO Box", "Categories", "Children",
    "Directory Server", "E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address",
    "E-mail 2 Type", "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials", "Internet Free Busy",
    "Keywords", "Language", "Location", "Manager's Name", "Mileage", "Notes", "Office Location",
    "Organizational ID Number", "Other Address PO Box", "Priority", "Private", "Profession", "Referred By",
    "Sensitivity", "Spouse", "User 1", "User 2", "User 3", "User 4", "Web Page",
]  # fmt: skip

OUTLOOK_DE = [
    "Anrede", "Vorname", "Weitere Vornamen", "Nachname", "Suffix", "Firma", "Abteilung", "Position",
    "Straße geschäftlich", "Straße geschäftlich 2", "Straße geschäftlich 3", "Ort geschäftlich", "Region geschäftlich",
    "Postleitzahl geschäftlich", "Land/Region geschäftlich", "Straße privat", "Straße privat 2", "Straße privat 3",
    "Ort privat", "Bundesland/Kanton privat", "Postleitzahl privat", "Land/Region privat", "Weitere Straße",
    "Weitere Straße 2", "Weitere Straße 3", "Weiterer Ort", "Weiteres/r Bundesland/Kanton", "Weitere Postleitzahl",
    "Weiteres/e Land/Region", "Telefon Assistent", "Fax geschäftlich", "Telefon geschäftlich", "Telefon geschäftlich 2",
    "Rückmeldung", "Autotelefon", "Telefon Firma", "Fax privat", "Telefon privat", "Telefon privat 2", "ISDN",
    "Mobiltelefon", "Weiteres Fax", "Weiteres Telefon", "Pager", "Haupttelefon", "Mobiltelefon 2",
    "Telefon für Hörbehinderte", "Telex", "Abrechnungsinformation", "Benutzer 1", "Benutzer 2", "Benutzer 3",
    "Benutzer 4", "Beruf", "Büro", "E-Mail-Adresse", "E-Mail-Typ", "E-Mail: Angezeigter Name", "E-Mail 2: Adresse",
    "E-Mail 2: Typ", "E-Mail 2: Angezeigter Name", "E-Mail 3: Adresse", "E-Mail 3: Typ", "E-Mail 3: Angezeigter Name",
    "Empfohlen von", "Geburtstag", "Geschlecht", "Hobby", "Initialen", "Internet-Frei/Gebucht", "Jahrestag",
    "Kategorien", "Kinder", "Konto", "Name Assistent", "Name des/der Vorgesetzten", "Notizen", "Organisationsnr.",
    "Ort", "Partner", "Postfach geschäftlich", "Postfach privat", "Priorität", "Privat", "Regierungsnr.",
    "Reisekilometer", "Sprache", "Stichwörter", "Vertraulichkeit", "Verzeichnisserver", "Webseite",
    "Weiteres Postfach",
]  # fmt: skip

# --- Outlook in the other languages ----------------------------------------------------------------------------
# Outlook writes the same columns in the same order in every language (OUTLOOK_EN's); only the names change.
# The names are those Microsoft Exchange reads for each language (OutlookCsvLanguageSelect; see the sources in
# importer/data/headers.toml), English ones included where that language's Outlook kept them; the six columns
# Exchange does not read (Directory Server, Keywords, Language, Organizational ID Number, Private, Referred By)
# carry our translation.

OUTLOOK_FR_NAMES = {
    "Title": "Titre", "First Name": "Prénom", "Middle Name": "Deuxième prénom", "Last Name": "Nom",
    "Suffix": "Suffixe", "Company": "Société", "Department": "Service", "Job Title": "Titre",
    "Business Street": "Rue (bureau)", "Business Street 2": "Rue (bureau) 2", "Business Street 3": "Rue (bureau) 3",
    "Business City": "Ville (bureau)", "Business State": "Dép/Région (bureau)",
    "Business Postal Code": "Code postal (bureau)", "Business Country/Region": "Pays/Région (bureau)",
    "Home Street": "Rue (domicile)", "Home Street 2": "Rue (domicile) 2", "Home Street 3": "Rue (domicile) 3",
    "Home City": "Ville (domicile)", "Home State": "Dép/Région (domicile)",
    "Home Postal Code": "Code postal (domicile)",
    "Home Country/Region": "Pays/Région (domicile)", "Other Street": "Rue (autre)", "Other Street 2": "Rue (autre) 2",
    "Other Street 3": "Rue (autre) 3", "Other City": "Ville (autre)", "Other State": "Dép/Région (autre)",
    "Other Postal Code": "Code postal (autre)", "Other Country/Region": "Pays/Région (autre)",
    "Assistant's Phone": "Téléphone de l'assistant(e)", "Business Fax": "Télécopie (bureau)",
    "Business Phone": "Téléphone (bureau)", "Business Phone 2": "Téléphone 2 (bureau)", "Callback": "Rappel",
    "Car Phone": "Téléphone (voiture)", "Company Main Phone": "Téléphone société", "Home Fax": "Télécopie (domicile)",
    "Home Phone": "Téléphone (domicile)", "Home Phone 2": "Téléphone 2 (domicile)", "ISDN": "RNIS",
    "Mobile Phone": "Tél. mobile", "Other Fax": "Télécopie (autre)", "Other Phone": "Téléphone (autre)",
    "Pager": "Récepteur de radiomessagerie", "Primary Phone": "Téléphone principal", "Radio Phone": "Radio téléphone",
    "TTY/TDD Phone": "Téléphone TDD/TTY", "Telex": "Télex", "Account": "Compte",
    "Anniversary": "Anniversaire de mariage ou fête", "Assistant's Name": "Nom de l'assistant(e)",
    "Billing Information": "Informations facturation", "Birthday": "Anniversaire",
    "Business Address PO Box": "B.P. professionnelle", "Categories": "Catégories", "Children": "Enfants",
    "Directory Server": "Serveur d'annuaire", "E-mail Address": "Adresse de messagerie",
    "E-mail Type": "Type de messagerie", "E-mail Display Name": "Nom complet de l'adresse de messagerie",
    "E-mail 2 Address": "Adresse de messagerie 2", "E-mail 2 Type": "Type de messagerie 2",
    "E-mail 2 Display Name": "Nom complet de l'adresse de messagerie 2", "E-mail 3 Address": "Adresse de messagerie 3",
    "E-mail 3 Type": "Type de messagerie 3", "E-mail 3 Display Name": "Nom complet de l'adresse de messagerie 3",
    "Gender": "Sexe", "Government ID Number": "Code gouvernement", "Hobby": "Passe-temps",
    "Home Address PO Box": "Boîte postale du domicile", "Initials": "Initiales",
    "Internet Free Busy": "Disponibilité Internet", "Keywords": "Mots clés", "Language": "Langue",
    "Location": "Emplacement", "Manager's Name": "Responsable", "Mileage": "Kilométrage", "Notes": "Notes",
    "Office Location": "Bureau", "Organizational ID Number": "Numéro d'identification de l'organisation",
    "Other Address PO Box": "Autre boîte postale", "Priority": "Priorité", "Private": "Privé",
    "Profession": "Profession", "Referred By": "Recommandé par", "Sensitivity": "Critère de diffusion",
    "Spouse": "Conjoint(e)", "User 1": "Utilisateur 1", "User 2": "Utilisateur 2", "User 3": "Utilisateur 3",
    "User 4": "Utilisateur 4", "Web Page": "Page Web",
}  # fmt: skip

OUTLOOK_IT_NAMES = {
    "Title": "Titolo", "First Name": "Nome", "Middle Name": "Secondo nome", "Last Name": "Cognome",
    "Suffix": "Titolo straniero", "Company": "Società", "Department": "Reparto", "Job Title": "Posizione",
    "Business Street": "Via (uff.)", "Business Street 2": "Via (uff.) 2", "Business Street 3": "Via (uff.) 3",
    "Business City": "Città (uff.)", "Business State": "Provincia (uff.)", "Business Postal Code": "CAP (uff.)",
    "Business Country/Region": "Paese (uff.)", "Home Street": "Via (ab.)", "Home Street 2": "Via (ab.) 2",
    "Home Street 3": "Via (ab.) 3", "Home City": "Città (ab.)", "Home State": "Provincia (ab.)",
    "Home Postal Code": "CAP (ab.)", "Home Country/Region": "Paese (ab.)", "Other Street": "Altra via",
    "Other Street 2": "Altra via 2", "Other Street 3": "Altra via 3", "Other City": "Altra città",
    "Other State": "Altra provincia", "Other Postal Code": "Altro CAP", "Other Country/Region": "Altro paese",
    "Assistant's Phone": "Telefono assistente", "Business Fax": "Fax (uff.)", "Business Phone": "Ufficio",
    "Business Phone 2": "Ufficio 2", "Callback": "Richiamata automatica", "Car Phone": "Telefono auto",
    "Company Main Phone": "Telefono principale società", "Home Fax": "Fax (ab.)", "Home Phone": "Abitazione",
    "Home Phone 2": "Abitazione 2", "Mobile Phone": "Cellulare", "Other Fax": "Altro fax",
    "Other Phone": "Altro telefono", "Pager": "Cercapersone", "Primary Phone": "Telefono principale",
    "Radio Phone": "Radiotelefono", "TTY/TDD Phone": "Telefono TTY/TDD", "Account": "Account",
    "Anniversary": "Anniversario", "Assistant's Name": "Nome assistente", "Billing Information": "Dati fatturazione",
    "Birthday": "Compleanno", "Business Address PO Box": "Indirizzo (uff.) - Casella postale",
    "Categories": "Categorie", "Children": "Figli", "Directory Server": "Server di elenchi in linea",
    "E-mail Address": "Indirizzo posta elettronica", "E-mail Type": "Tipo posta elettronica",
    "E-mail Display Name": "Nome visualizzato posta elettronica", "E-mail 2 Address": "Indirizzo posta elettronica 2",
    "E-mail 2 Type": "Tipo posta elettronica 2", "E-mail 2 Display Name": "Nome visualizzato posta elettronica 2",
    "E-mail 3 Address": "Indirizzo posta elettronica 3", "E-mail 3 Type": "Tipo posta elettronica 3",
    "E-mail 3 Display Name": "Nome visualizzato posta elettronica 3", "Gender": "Sesso",
    "Government ID Number": "Cod. Fisc./P. IVA", "Home Address PO Box": "Indirizzo (ab.) - Casella postale",
    "Initials": "Iniziali", "Internet Free Busy": "Disponibilità Internet", "Keywords": "Parole chiave",
    "Language": "Lingua", "Location": "Luogo", "Manager's Name": "Nome manager", "Mileage": "Indennità trasferta",
    "Notes": "Notes", "Office Location": "Ubicazione ufficio", "Organizational ID Number": "Codice organizzazione",
    "Other Address PO Box": "Altro indirizzo - Casella postale", "Priority": "Priorità", "Private": "Privato",
    "Profession": "Professione", "Referred By": "Presentato da", "Sensitivity": "Riservatezza",
    "Spouse": "Nome coniuge", "User 1": "Utente 1", "User 2": "Utente 2", "User 3": "Utente 3", "User 4": "Utente 4",
    "Web Page": "Pagina Web",
}  # fmt: skip

OUTLOOK_ES_NAMES = {  # Spanish Outlook keeps many English names, "Mobile Phone" and "Notes" among them
    "First Name": "Nombre", "Middle Name": "Segundo nombre", "Last Name": "Apellidos", "Company": "Organización",
    "Job Title": "Puesto", "Business Street": "Calle del trabajo", "Business Street 2": "Calle del trabajo 2",
    "Business Street 3": "Calle del trabajo 3", "Business City": "Ciudad de trabajo",
    "Business State": "Provincia o estado de trabajo", "Business Postal Code": "Código postal del trabajo",
    "Business Country/Region": "País o región del trabajo", "Home Country/Region": "País o región del domicilio",
    "Other Street": "Otra calle", "Other Street 2": "Otra calle 2", "Other Street 3": "Otra calle 3",
    "Other City": "Otra ciudad", "Other State": "Otra provincia o estado", "Other Postal Code": "Otro código postal",
    "Other Country/Region": "Otro país o región", "Business Phone": "Teléfono del trabajo",
    "Callback": "Devolución de llamada", "Company Main Phone": "Número de centralita de la organización",
    "Home Phone": "Particular", "Other Fax": "Otro fax", "Other Phone": "Otro teléfono",
    "Primary Phone": "Teléfono principal", "Radio Phone": "Radioteléfono", "TTY/TDD Phone": "Número de teletipo",
    "Telex": "Télex", "Billing Information": "Facturación",
    "Business Address PO Box": "Apartado postal de la dirección del trabajo", "Categories": "Categorías",
    "Children": "Hijos", "Directory Server": "Servidor de directorio",
    "E-mail Display Name": "Nombre de pantalla de correo electrónico",
    "E-mail 2 Address": "Dirección de correo electrónico 2", "E-mail 2 Type": "Tipo de correo electrónico 2",
    "E-mail 2 Display Name": "Nombre de pantalla de correo electrónico 2",
    "E-mail 3 Address": "Dirección del correo electrónico 3", "E-mail 3 Type": "Tipo de correo electrónico 3",
    "E-mail 3 Display Name": "Nombre de pantalla de correo electrónico 3", "Gender": "Género", "Hobby": "Aficiones",
    "Home Address PO Box": "Apartado postal de la dirección personal", "Keywords": "Palabras clave",
    "Language": "Idioma", "Manager's Name": "Nombre del director", "Mileage": "Kilometraje",
    "Organizational ID Number": "Número de id. de la organización", "Other Address PO Box": "Otro apartado postal",
    "Priority": "Prioridad", "Private": "Privado", "Profession": "Profesión", "Referred By": "Remitido por",
    "Sensitivity": "Confidencialidad", "User 1": "Usuario 1", "User 2": "Usuario 2", "User 3": "Usuario 3",
    "User 4": "Usuario 4", "Web Page": "Página web",
}  # fmt: skip

OUTLOOK_PT_BR_NAMES = {
    "Title": "Tratamento", "First Name": "Primeiro nome", "Middle Name": "Segundo nome", "Last Name": "Sobrenome",
    "Suffix": "Sufixo", "Company": "Empresa", "Department": "Departamento", "Job Title": "Cargo",
    "Business Street 2": "Rua do endereço comercial 2", "Business Street 3": "Rua do endereço comercial 3",
    "Business Country/Region": "País/Região da Empresa", "Home Street": "Endereço residencial",
    "Home Street 2": "Endereço residencial 2", "Home Street 3": "Endereço residencial 3",
    "Home City": "Cidade do endereço residencial", "Home State": "Estado",
    "Home Postal Code": "CEP do endereço residencial", "Home Country/Region": "País/Região de Residência",
    "Other Street": "Outro endereço", "Other Street 2": "Outro endereço 2", "Other Street 3": "Outro endereço 3",
    "Other City": "Cidade", "Other State": "Outro Estado", "Other Postal Code": "CEP",
    "Other Country/Region": "Outro País/Região", "Assistant's Phone": "Telefone do assistente",
    "Business Fax": "Fax comercial", "Business Phone": "Telefone comercial", "Business Phone 2": "Telefone comercial 2",
    "Callback": "Retorno de chamada", "Car Phone": "Telefone do carro",
    "Company Main Phone": "Telefone principal da empresa", "Home Fax": "Fax residencial",
    "Home Phone": "Telefone residencial", "Home Phone 2": "Telefone residencial 2", "Mobile Phone": "Telefone celular",
    "Other Fax": "Outro fax", "Other Phone": "Outro telefone", "Primary Phone": "Telefone principal",
    "Radio Phone": "Radiofone", "TTY/TDD Phone": "Telefone TTY/TDD", "Account": "Conta",
    "Anniversary": "Datas especiais", "Assistant's Name": "Nome do assistente",
    "Billing Information": "Informações para cobrança", "Business Address PO Box": "Caixa postal do endereço comercial",
    "Categories": "Categorias", "Children": "Filhos", "Directory Server": "Servidor de diretório",
    "E-mail Type": "Tipo de email", "E-mail Display Name": "Nome para exibição do email",
    "E-mail 2 Address": "Endereço de email 2", "E-mail 2 Type": "Tipo de email 2",
    "E-mail 2 Display Name": "Nome para exibição do email 2", "E-mail 3 Address": "Endereço de email 3",
    "E-mail 3 Type": "Tipo de email 3", "E-mail 3 Display Name": "Nome para exibição do email 3", "Gender": "Sexo",
    "Government ID Number": "Código do governo", "Home Address PO Box": "Caixa postal do endereço residencial",
    "Initials": "Iniciais", "Internet Free Busy": "Disponibilidade da Internet", "Keywords": "Palavras-chave",
    "Language": "Idioma", "Location": "Local", "Manager's Name": "Nome do gerenciador", "Mileage": "Quilometragem",
    "Notes": "Anotações", "Office Location": "Sala",
    "Organizational ID Number": "Número de identificação da organização",
    "Other Address PO Box": "Caixa postal de outro endereço", "Priority": "Prioridade", "Private": "Particular",
    "Profession": "Profissão", "Referred By": "Indicado por", "Sensitivity": "Sensibilidade",
    "User 1": "Personalizado 1", "User 2": "Personalizado 2", "User 3": "Personalizado 3", "User 4": "Personalizado 4",
    "Web Page": "Página da Web",
}  # fmt: skip

OUTLOOK_PT_PT_NAMES = {
    "Title": "Título", "First Name": "Primeiro nome", "Middle Name": "Outros nomes/apelidos", "Last Name": "Apelido",
    "Suffix": "Sufixo", "Company": "Empresa", "Department": "Departamento", "Job Title": "Cargo",
    "Business Street": "Rua da empresa", "Business Street 2": "Rua da empresa 2",
    "Business Street 3": "Rua da empresa 3",
    "Business City": "Localidade da empresa", "Business State": "Distrito da empresa",
    "Business Postal Code": "Código postal da empresa", "Business Country/Region": "País/Região da Empresa",
    "Home Street": "Rua da residência", "Home Street 2": "Rua da residência (2)",
    "Home Street 3": "Rua da residência (3)", "Home City": "Localidade da residência",
    "Home State": "Distrito da residência", "Home Postal Code": "Código postal da residência",
    "Home Country/Region": "País da Residência/Região", "Other Street": "Rua do outro endereço",
    "Other Street 2": "Rua do outro endereço 2", "Other Street 3": "Rua do outro endereço 3",
    "Other City": "Localidade do outro endereço", "Other State": "Distrito do outro endereço",
    "Other Postal Code": "Código postal do outro endereço", "Other Country/Region": "Outro País/Região",
    "Assistant's Phone": "Telefone do assistente", "Business Fax": "Fax da empresa",
    "Business Phone": "Telefone da empresa", "Business Phone 2": "2º telefone da empresa",
    "Callback": "Tel. de resposta", "Car Phone": "Telefone do carro",
    "Company Main Phone": "Telefone principal da empresa", "Home Fax": "Fax da residência",
    "Home Phone": "Telefone da residência", "Home Phone 2": "2º telefone da residência", "ISDN": "RDIS",
    "Mobile Phone": "Telemóvel", "Other Fax": "Outro fax", "Other Phone": "Outro telefone",
    "Primary Phone": "Telefone principal", "Radio Phone": "Radiotelefone", "TTY/TDD Phone": "Telefone TTY/TDD",
    "Account": "Conta", "Anniversary": "Aniversário", "Assistant's Name": "Nome do assistente",
    "Billing Information": "Dados para facturação", "Birthday": "Data de nascimento",
    "Business Address PO Box": "Apartado da empresa", "Categories": "Categorias", "Children": "Filhos",
    "Directory Server": "Servidor de directório", "E-mail Address": "Endereço de correio electrónico",
    "E-mail Type": "Tipo de correio electrónico",
    "E-mail Display Name": "Nome a apresentar para o correio electrónico",
    "E-mail 2 Address": "Endereço do correio electrónico 2", "E-mail 2 Type": "Tipo de correio electrónico 2",
    "E-mail 2 Display Name": "Nome a apresentar para o correio electrónico 2",
    "E-mail 3 Address": "Endereço do correio electrónico 3", "E-mail 3 Type": "Tipo de correio electrónico 3",
    "E-mail 3 Display Name": "Nome a apresentar para o correio electrónico 3", "Gender": "Sexo",
    "Government ID Number": "Número do BI", "Hobby": "Passatempo", "Home Address PO Box": "Apartado da residência",
    "Initials": "Iniciais", "Internet Free Busy": "Disponibilidade da Internet", "Keywords": "Palavras-chave",
    "Language": "Idioma", "Location": "Localização", "Manager's Name": "Nome do gestor", "Mileage": "Quilometragem",
    "Notes": "Notas", "Office Location": "Gabinete",
    "Organizational ID Number": "Número de identificação da organização",
    "Other Address PO Box": "Apartado do outro endereço", "Priority": "Prioridade", "Private": "Privado",
    "Profession": "Profissão", "Referred By": "Referido por", "Sensitivity": "Confidencialidade", "Spouse": "Cônjuge",
    "User 1": "Utilizador 1", "User 2": "Utilizador 2", "User 3": "Utilizador 3", "User 4": "Utilizador 4",
    "Web Page": "Página na Web",
}  # fmt: skip


def outlook_in(names: dict[str, str]) -> list[str]:
    """Outlook's header row in one language: OUTLOOK_EN's columns and order, with that language's names."""
    unknown = set(names) - set(OUTLOOK_EN)
    assert not unknown, f"not Outlook columns: {unknown}"
    return [names.get(header, header) for header in OUTLOOK_EN]


OUTLOOK_FR = outlook_in(OUTLOOK_FR_NAMES)
OUTLOOK_IT = outlook_in(OUTLOOK_IT_NAMES)
OUTLOOK_ES = outlook_in(OUTLOOK_ES_NAMES)
OUTLOOK_PT_BR = outlook_in(OUTLOOK_PT_BR_NAMES)
OUTLOOK_PT_PT = outlook_in(OUTLOOK_PT_PT_NAMES)


# --- Google Contacts, Export > Google CSV (UTF-8, ",") ------------------------------------------------------

GOOGLE = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name",
    "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title",
    "Organization Department", "Birthday", "Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
    "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value", "Address 1 - Label",
    "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region",
    "Address 1 - Postal Code", "Address 1 - Country", "Address 1 - Extended Address",
]  # fmt: skip

GOOGLE_LEGACY = [
    "Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Given Name Yomi", "Additional Name Yomi",
    "Family Name Yomi", "Name Prefix", "Name Suffix", "Initials", "Nickname", "Short Name", "Maiden Name",
    "Birthday", "Gender", "Location", "Billing Information", "Directory Server", "Mileage", "Occupation", "Hobby",
    "Sensitivity", "Priority", "Subject", "Notes", "Language", "Photo", "Group Membership", "E-mail 1 - Type",
    "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type", "Phone 2 - Value",
    "Address 1 - Type", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - Region",
    "Address 1 - Postal Code", "Address 1 - Country", "Organization 1 - Type", "Organization 1 - Name",
    "Organization 1 - Title",
]  # fmt: skip

# --- CRMs and mailing tools -----------------------------------------------------------------------------------

SALESFORCE = [
    "Contact Owner", "Salutation", "First Name", "Last Name", "Title", "Account Name", "Mailing Street",
    "Mailing City", "Mailing State/Province", "Mailing Zip/Postal Code", "Mailing Country", "Phone", "Mobile",
    "Home Phone", "Other Phone", "Fax", "Email", "Lead Source", "Description", "Contact ID",
]  # fmt: skip

ZOHO = [
    "Record Id", "Contact Owner", "Lead Source", "First Name", "Last Name", "Account Name", "Vendor Name", "Email",
    "Title", "Department", "Phone", "Home Phone", "Other Phone", "Fax", "Mobile", "Date of Birth", "Assistant",
    "Asst Phone", "Reports To", "Email Opt Out", "Skype ID", "Created By", "Modified By", "Created Time",
    "Modified Time", "Salutation", "Secondary Email", "Twitter", "Mailing Street", "Other Street", "Mailing City",
    "Other City", "Mailing State", "Other State", "Mailing Zip", "Other Zip", "Mailing Country", "Other Country",
    "Description", "Tag", "Last Activity Time",
]  # fmt: skip

PIPEDRIVE = [
    "Person - ID", "Person - Name", "Person - First name", "Person - Last name", "Person - Label",
    "Person - Organization", "Person - Email - Work", "Person - Email - Home", "Person - Phone - Work",
    "Person - Phone - Home", "Person - Phone - Mobile", "Person - Phone - Other", "Person - Owner",
    "Person - Visible to", "Person - Open deals", "Person - Won deals", "Person - Next activity date",
    "Person - Update time", "Organization - Name", "Organization - Address",
]  # fmt: skip

ODOO = ["Name", "Related Company", "Phone", "Mobile", "Email", "Salesperson", "Tags", "City", "Country", "Activities"]

HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "WhatsApp Phone Number",
    "Contact owner", "Lifecycle Stage", "Lead Status", "Create Date", "Country/Region",
]  # fmt: skip

BREVO = [
    "CONTACT ID", "EMAIL", "FIRSTNAME", "LASTNAME", "SMS", "WHATSAPP", "LANDLINE_NUMBER", "EXT_ID", "DOUBLE_OPT-IN",
    "OPT_IN", "BLACKLISTED", "SMS_BLACKLISTED", "ADDED_TIME", "MODIFIED_TIME",
]  # fmt: skip

MAILCHIMP = [
    "Email Address", "First Name", "Last Name", "Address", "Phone Number", "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP",
    "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
    "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS",
]  # fmt: skip

EXPORTS = [
    Export(
        name="outlook_en",
        filename="contacts.CSV",
        headers=OUTLOOK_EN,
        encoding="cp1252",
        region="GB",
        layout="Outlook",
        rows=[
            {"First Name": "Zoë", "Last Name": "O'Connor", "Mobile Phone": "07911 123456", "Categories": "Customer",
             "Company Main Phone": "020 7946 0000", "Notes": "Café owner – call after 3"},
            {"First Name": "Seán", "Middle Name": "Patrick", "Last Name": "Murphy", "Mobile Phone": "+44 7700 123456"},
            {"First Name": "Amy", "Last Name": "Clarke", "Business Phone": "0161 496 0000"},
        ],
        fields={"first_name": "First Name", "middle_name": "Middle Name", "last_name": "Last Name",
                "phone": "Mobile Phone", "tags": "Categories", "note": "Notes"},
        fallbacks=["Primary Phone", "Business Phone", "Business Phone 2", "Car Phone", "Home Phone", "Home Phone 2",
                   "Other Phone"],
        unmapped=["Company Main Phone", "Assistant's Phone", "Business Fax", "Pager", "Callback", "Radio Phone",
                  "TTY/TDD Phone"],
    ),
    Export(
        name="outlook_de",
        filename="Kontakte.CSV",
        headers=OUTLOOK_DE,
        encoding="cp1252",
        delimiter=";",
        region="DE",
        layout="Outlook (German)",
        rows=[
            {"Vorname": "Jürgen", "Nachname": "Weiß", "Mobiltelefon": "0171 2345678", "Kategorien": "VIP",
             "Telefon geschäftlich": "030 1234567", "Telefon Firma": "030 1234500", "Notizen": "Rückruf erwünscht"},
            {"Anrede": "Frau", "Vorname": "Anna-Lena", "Weitere Vornamen": "Maria", "Nachname": "Müller",
             "Mobiltelefon": "+49 151 23456789", "Fax geschäftlich": "089 1234599", "Pager": "0161 1234567"},
            {"Vorname": "Ömer", "Nachname": "Öztürk", "Telefon privat": "089 12345678",
             "E-Mail-Adresse": "oemer@example.de"},  # no mobile: the home number, a fallback, is used
        ],
        fields={"first_name": "Vorname", "middle_name": "Weitere Vornamen", "last_name": "Nachname",
                "phone": "Mobiltelefon", "tags": "Kategorien", "note": "Notizen"},
        fallbacks=["Mobiltelefon 2", "Haupttelefon", "Telefon geschäftlich", "Telefon geschäftlich 2", "Autotelefon",
                   "Telefon privat", "Telefon privat 2", "Weiteres Telefon"],
        unmapped=["Telefon Firma", "Telefon Assistent", "Fax geschäftlich", "Pager", "Rückmeldung",
                  "Telefon für Hörbehinderte", "ISDN", "Name Assistent", "Privat"],
    ),
    Export(
        name="outlook_fr",
        filename="Contacts.CSV",
        headers=OUTLOOK_FR,
        encoding="cp1252",
        delimiter=";",
        region="FR",
        layout="Outlook (French)",
        rows=[
            {"Prénom": "Amélie", "Nom": "Lefèvre", "Tél. mobile": "06 12 34 56 78", "Catégories": "Lead",
             "Téléphone société": "01 23 45 67 89", "Responsable": "Hélène Dubois", "Notes": "Rappeler à 18 h"},
            {"Titre": "M.", "Prénom": "François", "Deuxième prénom": "Xavier", "Nom": "Nguyen",
             "Tél. mobile": "+33 7 81 23 45 67", "Téléphone (bureau)": "01 44 55 66 77"},
            {"Prénom": "Zoé", "Nom": "Martin", "Téléphone (domicile)": "06 98 76 54 32"},
        ],
        fields={"first_name": "Prénom", "middle_name": "Deuxième prénom", "last_name": "Nom", "phone": "Tél. mobile",
                "tags": "Catégories", "note": "Notes"},
        fallbacks=["Téléphone principal", "Téléphone (bureau)", "Téléphone 2 (bureau)", "Téléphone (voiture)",
                   "Téléphone (domicile)", "Téléphone 2 (domicile)", "Téléphone (autre)"],
        unmapped=["Responsable", "Téléphone société", "Téléphone de l'assistant(e)", "Télécopie (bureau)",
                  "Récepteur de radiomessagerie", "Rappel", "Radio téléphone", "Téléphone TDD/TTY"],
    ),
    Export(
        name="outlook_it",
        filename="Contatti.CSV",
        headers=OUTLOOK_IT,
        encoding="cp1252",
        delimiter=";",
        region="IT",
        layout="Outlook (Italian)",
        rows=[
            {"Nome": "Niccolò", "Cognome": "De Santis", "Cellulare": "347 123 4567", "Categorie": "Customer",
             "Telefono principale società": "02 8765 4321", "Notes": "Cliente dal 2019, più ordini"},
            {"Nome": "Giulia", "Secondo nome": "Maria", "Cognome": "Rossi", "Cellulare": "+39 333 765 4321"},
            {"Nome": "Carlo", "Cognome": "Bianchi", "Ufficio": "02 1234 5678"},  # no mobile: the office number
        ],
        fields={"first_name": "Nome", "middle_name": "Secondo nome", "last_name": "Cognome", "phone": "Cellulare",
                "tags": "Categorie", "note": "Notes"},
        fallbacks=["Telefono principale", "Ufficio", "Ufficio 2", "Telefono auto", "Abitazione", "Abitazione 2",
                   "Altro telefono"],
        unmapped=["Telefono principale società", "Telefono assistente", "Fax (uff.)", "Cercapersone",
                  "Richiamata automatica", "Radiotelefono", "Nome assistente", "Nome manager", "Nome coniuge"],
    ),
    Export(
        name="outlook_es",
        filename="Contactos.CSV",
        headers=OUTLOOK_ES,
        encoding="cp1252",
        delimiter=";",
        region="ES",
        layout="Outlook (Spanish)",
        rows=[
            {"Nombre": "Begoña", "Apellidos": "Ibáñez Zubiría", "Mobile Phone": "612 34 56 78",
             "Categorías": "Cliente potencial", "Notes": "Llamar por la mañana",
             "Assistant's Phone": "91 555 12 12"},
            {"Nombre": "José", "Segundo nombre": "Luis", "Apellidos": "Núñez", "Mobile Phone": "+34 699 12 34 56"},
            {"Nombre": "Íñigo", "Apellidos": "Etxeberria", "Particular": "94 412 34 56"},  # the home number
        ],
        fields={"first_name": "Nombre", "middle_name": "Segundo nombre", "last_name": "Apellidos",
                "phone": "Mobile Phone", "tags": "Categorías", "note": "Notes"},
        fallbacks=["Teléfono principal", "Teléfono del trabajo", "Business Phone 2", "Car Phone", "Particular",
                   "Home Phone 2", "Otro teléfono"],
        unmapped=["Assistant's Phone", "Número de centralita de la organización", "Devolución de llamada", "Pager",
                  "Radioteléfono", "Número de teletipo", "Business Fax", "Nombre del director"],
    ),
    Export(
        name="outlook_pt_br",
        filename="Contatos.CSV",
        headers=OUTLOOK_PT_BR,
        encoding="cp1252",
        delimiter=";",
        region="BR",
        layout="Outlook (Portuguese, Brazil)",
        rows=[
            {"Primeiro nome": "João", "Sobrenome": "Conceição", "Telefone celular": "(11) 98765-4321",
             "Categorias": "VIP", "Anotações": "Prefere contato à tarde",
             "Telefone principal da empresa": "(11) 3003-3030"},
            {"Primeiro nome": "Ana", "Segundo nome": "Luíza", "Sobrenome": "Araújo",
             "Telefone celular": "+55 21 99876-5432"},
            {"Primeiro nome": "Márcio", "Sobrenome": "Gonçalves", "Telefone comercial": "11 2345-6789"},
        ],
        fields={"first_name": "Primeiro nome", "middle_name": "Segundo nome", "last_name": "Sobrenome",
                "phone": "Telefone celular", "tags": "Categorias", "note": "Anotações"},
        fallbacks=["Telefone principal", "Telefone comercial", "Telefone comercial 2", "Telefone do carro",
                   "Telefone residencial", "Telefone residencial 2", "Outro telefone"],
        unmapped=["Telefone principal da empresa", "Telefone do assistente", "Radiofone", "Fax comercial",
                  "Retorno de chamada", "Pager", "Particular"],
    ),
    Export(
        name="outlook_pt_pt",
        filename="Contactos.CSV",
        headers=OUTLOOK_PT_PT,
        encoding="cp1252",
        delimiter=";",
        region="PT",
        layout="Outlook (Portuguese, Portugal)",
        rows=[
            {"Primeiro nome": "Inês", "Outros nomes/apelidos": "Maria", "Apelido": "Gonçalves",
             "Telemóvel": "912 345 678", "Categorias": "Newsletter", "Notas": "Cliente desde março",
             "Telefone principal da empresa": "21 000 0000"},
            {"Primeiro nome": "Tiago", "Apelido": "Sá", "Telefone da empresa": "+351 21 123 4567"},
            {"Primeiro nome": "Rita", "Apelido": "Lopes", "2º telefone da residência": "22 345 6789"},
        ],
        fields={"first_name": "Primeiro nome", "middle_name": "Outros nomes/apelidos", "last_name": "Apelido",
                "phone": "Telemóvel", "tags": "Categorias", "note": "Notas"},
        fallbacks=["Telefone principal", "Telefone da empresa", "2º telefone da empresa", "Telefone do carro",
                   "Telefone da residência", "2º telefone da residência", "Outro telefone"],
        unmapped=["Telefone principal da empresa", "Telefone do assistente", "Radiotelefone", "Fax da empresa",
                  "Tel. de resposta", "Pager", "Nome do gestor"],
    ),
    Export(
        name="google",
        filename="contacts.csv",
        headers=GOOGLE,
        region="MX",
        layout="Google Contacts",
        rows=[
            {"First Name": "María", "Last Name": "Hernández", "Labels": "* myContacts ::: Amigos",
             "Phone 1 - Label": "Work", "Phone 1 - Value": "55 1234 5678", "Phone 2 - Label": "Mobile",
             "Phone 2 - Value": "+52 1 55 8765 4321 ::: +52 55 1111 2222", "Notes": "Conocida en la feria"},
            {"First Name": "Luis", "Middle Name": "Ángel", "Last Name": "Pérez", "Labels": "* myContacts",
             "Phone 1 - Label": "Mobile", "Phone 1 - Value": "+52 33 1234 5678", "Address 1 - Country": "México"},
        ],
        fields={"first_name": "First Name", "middle_name": "Middle Name", "last_name": "Last Name",
                "phone": "Phone 1 - Value", "note": "Notes"},
        fallbacks=["Phone 2 - Value"],
        unmapped=["Labels", "Address 1 - Country", "E-mail 1 - Value"],
    ),
    Export(
        name="google_legacy",
        filename="google.csv",
        headers=GOOGLE_LEGACY,
        region="AR",
        layout="Google Contacts (legacy Google CSV)",
        rows=[
            {"Name": "Sofía Gómez", "Given Name": "Sofía", "Family Name": "Gómez", "Group Membership": "* My Contacts",
             "Phone 1 - Type": "Mobile", "Phone 1 - Value": "+54 9 11 2345-6789"},
            {"Name": "Martín Díaz", "Given Name": "Martín", "Family Name": "Díaz", "Phone 1 - Type": "Home",
             "Phone 1 - Value": "011 4321-5678", "Phone 2 - Type": "Mobile", "Phone 2 - Value": "+54 9 351 123-4567"},
        ],
        fields={"name": "Name", "phone": "Phone 1 - Value", "note": "Notes"},
        fallbacks=["Phone 2 - Value"],
        unmapped=["Given Name", "Family Name", "Group Membership"],
    ),
    Export(
        name="salesforce",
        filename="report1700000000000.csv",
        headers=SALESFORCE,
        region="US",
        layout="Salesforce",
        rows=[
            {"Contact Owner": "john@example.com", "First Name": "Emily", "Last Name": "O'Brien", "Account Name": "Acme",
             "Mobile": "(415) 839-2047", "Phone": "+1 212 736 5000", "Lead Source": "Web", "Description": "Trial user"},
            {"First Name": "Raj", "Last Name": "Patel", "Phone": "(646) 832-1144",
             "Mailing Country": "United States"},
        ],
        fields={"first_name": "First Name", "last_name": "Last Name", "phone": "Mobile", "note": "Description",
                "assigned_user": "Contact Owner"},
        fallbacks=["Phone", "Home Phone", "Other Phone"],
        unmapped=["Fax", "Lead Source", "Mailing Country", "Account Name"],
    ),
    Export(
        name="zoho",
        filename="Contacts_2025_03_01.csv",
        headers=ZOHO,
        region="IN",
        layout="Zoho CRM",
        rows=[
            {"Record Id": "zcrm_4876876000000224013", "Contact Owner": "", "First Name": "Priya", "Last Name": "Sharma",
             "Mobile": "+91 98765 43210", "Tag": "Lead", "Description": "Asked for a demo"},
            {"Record Id": "zcrm_4876876000000224014", "First Name": "Arjun", "Last Name": "Nair",
             "Phone": "080 2345 6789", "Mobile": "", "Asst Phone": "080 2345 0000"},
        ],
        fields={"first_name": "First Name", "last_name": "Last Name", "phone": "Mobile", "tags": "Tag",
                "note": "Description", "assigned_user": "Contact Owner"},
        fallbacks=["Phone", "Home Phone", "Other Phone"],
        unmapped=["Asst Phone", "Fax", "Lead Source", "Assistant"],
    ),
    Export(
        name="pipedrive",
        filename="people-export.xlsx",
        headers=PIPEDRIVE,
        region="PT",
        layout="Pipedrive",
        rows=[
            {"Person - ID": "101", "Person - Name": "Inês Carvalho", "Person - First name": "Inês",
             "Person - Last name": "Carvalho", "Person - Phone - Mobile": "912 345 678", "Person - Label": "VIP",
             "Person - Owner": "marta@example.com", "Organization - Name": "Conservas Lda"},
            {"Person - ID": "102", "Person - Name": "Rui Sousa", "Person - Phone - Work": "+351 21 123 4567",
             "Person - Phone - Mobile": "+351 936 123 456"},
        ],
        fields={"name": "Person - Name", "phone": "Person - Phone - Mobile", "tags": "Person - Label",
                "assigned_user": "Person - Owner"},
        fallbacks=["Person - Phone - Work", "Person - Phone - Home", "Person - Phone - Other"],
        unmapped=["Person - First name", "Person - Last name", "Organization - Name", "Person - Email - Work"],
    ),
    Export(
        name="odoo",
        filename="Contact (res.partner).xlsx",
        headers=ODOO,
        region="ES",
        layout="Odoo",
        rows=[
            {"Name": "Lucía Fernández", "Mobile": "612 34 56 78", "Salesperson": "ana@example.com", "Tags": "VIP,Lead",
             "Country": "Spain"},
            {"Name": "Pedro Alves", "Phone": "+351 21 123 4567", "Country": "Portugal"},
        ],
        fields={"name": "Name", "phone": "Mobile", "assigned_user": "Salesperson", "tags": "Tags",
                "country": "Country"},
        fallbacks=["Phone"],
        unmapped=["Related Company", "Email"],
    ),
    Export(
        name="hubspot",
        filename="hubspot-crm-exports-all-contacts.csv",
        headers=HUBSPOT,
        region="CO",
        layout="HubSpot",
        rows=[
            {"Record ID": "51", "First Name": "Camila", "Last Name": "Restrepo",
             "WhatsApp Phone Number": "+57 310 1234567", "Mobile Phone Number": "310 7654321",
             "Country/Region": "Colombia"},
            {"Record ID": "52", "First Name": "Andrés", "Last Name": "Gómez", "Phone Number": "601 2345678"},
        ],
        fields={"first_name": "First Name", "last_name": "Last Name", "phone": "WhatsApp Phone Number",
                "assigned_user": "Contact owner"},
        fallbacks=["Mobile Phone Number", "Phone Number"],
        unmapped=["Country/Region", "Lifecycle Stage"],
    ),
    Export(
        name="brevo",
        filename="contacts_export.csv",
        headers=BREVO,
        delimiter=";",
        region="FR",
        layout="Brevo",
        rows=[
            {"CONTACT ID": "1", "EMAIL": "chloe@example.fr", "FIRSTNAME": "Chloé", "LASTNAME": "Bernard",
             "SMS": "33612345678", "WHATSAPP": "33612345678", "BLACKLISTED": "false"},
            {"CONTACT ID": "2", "EMAIL": "hugo@example.fr", "FIRSTNAME": "Hugo", "LASTNAME": "Petit",
             "SMS": "33781234567", "LANDLINE_NUMBER": "33144556677"},
        ],
        fields={"first_name": "FIRSTNAME", "last_name": "LASTNAME", "phone": "WHATSAPP"},
        fallbacks=["SMS", "LANDLINE_NUMBER"],
        unmapped=["SMS_BLACKLISTED", "EMAIL", "EXT_ID"],
    ),
    Export(
        name="mailchimp",
        filename="subscribed_members_export_1a2b3c.csv",
        headers=MAILCHIMP,
        region="US",
        layout="Mailchimp",
        rows=[
            {"Email Address": "olivia@example.com", "First Name": "Olivia", "Last Name": "Smith",
             "Phone Number": "+1 415 839 2047", "MEMBER_RATING": "2", "CC": "US", "REGION": "CA",
             "TAGS": '"Newsletter","VIP"'},  # Mailchimp quotes each tag
            {"Email Address": "liam@example.com", "First Name": "Liam", "Last Name": "Jones",
             "Phone Number": "(212) 736-5000", "REGION": "NY", "NOTES": "Signed up at the fair"},
        ],
        fields={"first_name": "First Name", "last_name": "Last Name", "phone": "Phone Number", "tags": "TAGS",
                "note": "NOTES"},
        unmapped=["REGION", "CC", "Email Address"],
    ),
    # WhatsApp bulk-sender templates: the recipient column is the number; a calling-code column says the country.
    Export(
        name="whatsapp_sender_calling_code",
        filename="envio_masivo.csv",
        headers=["Codigo_Pais", "Numero", "Nombre", "Mensaje"],
        region=None,  # the calling code on each row is the region
        rows=[
            {"Codigo_Pais": "51", "Numero": "987654321", "Nombre": "Rosa Quispe", "Mensaje": "Hola {{1}}"},
            {"Codigo_Pais": "51", "Numero": "912 345 678", "Nombre": "Jorge Mamani", "Mensaje": "Hola {{1}}"},
            {"Codigo_Pais": "57", "Numero": "310 1234567", "Nombre": "Valentina Ríos", "Mensaje": "Hola {{1}}"},
        ],
        fields={"name": "Nombre", "phone": "Numero", "country": "Codigo_Pais"},
        unmapped=["Mensaje"],
    ),
    Export(
        name="whatsapp_sender_recipient",
        filename="destinatarios.csv",
        headers=["Destinatário", "Nome", "Variável 1"],
        region="BR",
        rows=[
            {"Destinatário": "+55 11 98765-4321", "Nome": "Thiago", "Variável 1": "pedido 123"},
            {"Destinatário": "21 99876-5432", "Nome": "Larissa", "Variável 1": "pedido 124"},
        ],
        fields={"name": "Nome", "phone": "Destinatário"},
    ),
    # Lists typed by people, as the users sent them.
    Export(
        name="excel_unicode_text_it",
        filename="rubrica.txt",
        headers=["Nome", "Cognome", "Cellulare", "E-mail", "Note"],
        encoding="utf-16",
        delimiter="\t",
        region="IT",
        rows=[
            {"Nome": "Lorenzo", "Cognome": "Galli", "Cellulare": "348 765 4321", "Note": "Perché no?"},
            {"Nome": "Chiara", "Cognome": "Ferrari", "Cellulare": "+39 320 111 2233"},
        ],
        fields={"first_name": "Nome", "last_name": "Cognome", "phone": "Cellulare", "note": "Note"},
    ),
    Export(
        name="typed_pt_br",
        filename="clientes.csv",
        headers=["Nome", "Celular"],
        region="BR",
        rows=[{"Nome": "Gabriela Santos", "Celular": "(11) 91234-5678"}, {"Nome": "Paulo", "Celular": "21987654321"}],
        fields={"name": "Nome", "phone": "Celular"},
    ),
    Export(
        name="typed_pt_pt",
        filename="contactos.csv",
        headers=["Nome próprio", "Apelido", "Telemóvel"],
        delimiter=";",
        region="PT",
        rows=[{"Nome próprio": "Joana", "Apelido": "Ferreira", "Telemóvel": "912 345 678"}],
        fields={"first_name": "Nome próprio", "last_name": "Apelido", "phone": "Telemóvel"},
    ),
    Export(
        name="typed_fr",
        filename="clients.csv",
        headers=["Prénom", "Nom", "Téléphone mobile"],
        encoding="utf-8-sig",
        delimiter=";",
        region="FR",
        rows=[{"Prénom": "Léa", "Nom": "Moreau", "Téléphone mobile": "06 11 22 33 44"}],
        fields={"first_name": "Prénom", "last_name": "Nom", "phone": "Téléphone mobile"},
    ),
    Export(
        name="typed_de",
        filename="kunden.csv",
        headers=["Vorname", "Nachname", "Handy", "Land"],
        encoding="cp1252",
        delimiter=";",
        region="DE",
        rows=[
            {"Vorname": "Jörg", "Nachname": "Schäfer", "Handy": "0160 1234567"},
            {"Vorname": "Lena", "Nachname": "Gruber", "Handy": "0664 1234567", "Land": "Österreich"},  # Austrian
        ],
        fields={"first_name": "Vorname", "last_name": "Nachname", "phone": "Handy", "country": "Land"},
    ),
]  # fmt: skip

# --- exports whose headers say things oddly (issue 19) -----------------------------------------------------------
# Dolibarr (ERP/CRM), Tools > Export, third parties: each label carries its field code in brackets, a required
# field a "*", and some labels a colon.
DOLIBARR = [
    "Ref. (s.rowid)",
    "Name* (s.name)",
    "Alias name (s.name_alias)",
    "Address (s.address)",
    "Zip (s.zip)",
    "Town (s.town)",
    "Country (c.code)",
    "Phone (s.tel)",
    "Fax (s.fax)",
    "Url (s.url)",
    "E-mail:",
    "Prospect/Customer (s.client)",
    "Supplier (s.fournisseur)",
]
# Invoice Ninja, Clients > Export (CSV): the client's "Phone", then the contact's "Phone"; most clients have only
# the contact's number.
INVOICE_NINJA = [
    "Name",
    "Balance",
    "Paid to Date",
    "Address 1",
    "Address 2",
    "City",
    "State",
    "Postal Code",
    "Country",
    "Phone",
    "Website",
    "VAT Number",
    "ID Number",
    "Contact First Name",
    "Contact Last Name",
    "Email",
    "Phone",
]
# DATEV (German accounting), Debitoren/Kreditoren (EXTF format 700, category 16): a 31-field metadata line first,
# then the header row that names the columns.
DATEV_EXTF = [
    "EXTF",
    "700",
    "16",
    "Debitoren/Kreditoren",
    "5",
    "20240130140440439",
    "",
    "RE",
    "",
    "",
    "29098",
    "55003",
    "20240101",
    "4",
    *[""] * 17,
]
DATEV = [
    "Konto",
    "Name (Adressatentyp Unternehmen)",
    "Unternehmensgegenstand",
    "Name (Adressatentyp natürl. Person)",
    "Vorname (Adressatentyp natürl. Person)",
    "Name (Adressatentyp keine Angabe)",
    "Adressatentyp",
    "Kurzbezeichnung",
    "EU-Land",
    "EU-UStID",
    "Anrede",
    "Titel/Akad. Grad",
    "Adelstitel",
    "Namensvorsatz",
    "Adressart",
    "Straße",
    "Postfach",
    "Postleitzahl",
    "Ort",
    "Land",
    "Versandzusatz",
    "Adresszusatz",
    "Abweichende Anrede",
    "Abw. Zustellbezeichnung 1",
    "Abw. Zustellbezeichnung 2",
    "Kennz. Korrespondenzadresse",
    "Adresse Gültig von",
    "Adresse Gültig bis",
    "Telefon",
    "Telefon GL",
    "E-Mail",
    "Internet",
]

ODD_HEADERS = [
    Export(
        name="dolibarr",
        filename="export_societe_1.csv",
        headers=DOLIBARR,
        region=None,
        rows=[
            {"Ref. (s.rowid)": "1", "Name* (s.name)": "Ana Ruiz", "Country (c.code)": "ES",
             "Phone (s.tel)": "612 34 56 78", "E-mail:": "ana@example.com", "Prospect/Customer (s.client)": "1"},
            {"Ref. (s.rowid)": "2", "Name* (s.name)": "Luis Gil", "Country (c.code)": "ES",
             "Phone (s.tel)": "+34 699 88 77 66", "Prospect/Customer (s.client)": "2"},
        ],
        fields={"name": "Name* (s.name)", "country": "Country (c.code)", "phone": "Phone (s.tel)"},
    ),
    Export(
        name="invoice_ninja",
        filename="clients.csv",
        headers=INVOICE_NINJA,
        region="US",
        rows=[{}] * 3,
        positional=[
            ["Acme Corp", "120.00", "0.00", "1 Main St", "", "Austin", "TX", "73301", "United States", "", "",
             "", "", "Jane", "Doe", "jane@acme.example", "512-555-0143"],
            ["Globex", "0.00", "50.00", "", "", "", "", "", "United States", "", "", "", "", "Hank", "Scorpio",
             "", "(415) 555-0172"],
            ["Initech", "0.00", "0.00", "", "", "", "", "", "United States", "+1 212 555 0199", "", "", "", "Bill",
             "Lumbergh", "", "212 555 0100"],
        ],
        fields={"name": "Name", "country": "Country", "phone": "Phone"},
        fallbacks=["Phone"],
    ),
    Export(
        name="datev",
        filename="EXTF_Debitoren.csv",
        headers=DATEV,
        encoding="cp1252",
        delimiter=";",
        region="DE",
        preamble=[DATEV_EXTF],
        rows=[
            {"Konto": "10000", "Name (Adressatentyp Unternehmen)": "Müller GmbH", "Adressatentyp": "2",
             "Ort": "München", "Land": "DE", "Telefon": "089 1234567", "E-Mail": "info@mueller.example"},
            {"Konto": "10001", "Name (Adressatentyp Unternehmen)": "Schäfer KG", "Adressatentyp": "2",
             "Land": "AT", "Telefon": "+43 1 5123456"},
        ],
        fields={"name": "Name (Adressatentyp Unternehmen)", "country": "Land", "phone": "Telefon"},
        unmapped=["Telefon GL", "Name (Adressatentyp natürl. Person)"],
    ),
]  # fmt: skip
EXPORTS += ODD_HEADERS


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for export in EXPORTS:
        print(export.write(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
