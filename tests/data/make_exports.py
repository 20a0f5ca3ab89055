"""Contact exports written the way the tools write them: header rows, encodings, delimiters and phone spellings.

    .venv/bin/python tests/data/make_exports.py OUT_DIR

tests/test_exports.py writes each one into a temp dir and checks that detection, with no config, maps the
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

    def table(self) -> list[list[str]]:
        unknown = {h for row in self.rows for h in row} - set(self.headers)
        assert not unknown, f"{self.name}: cells for no column: {unknown}"
        return [self.headers] + [[row.get(h, "") for h in self.headers] for row in self.rows]

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

OUTLOOK_FR = [
    "Titre", "Prénom", "Deuxième prénom", "Nom", "Suffixe", "Société", "Service", "Titre", "Rue (bureau)",
    "Rue (bureau) 2", "Rue (bureau) 3", "Ville (bureau)", "Dép/Région (bureau)", "Code postal (bureau)",
    "Pays/Région (bureau)", "Rue (domicile)", "Rue (domicile) 2", "Rue (domicile) 3", "Ville (domicile)",
    "Dép/Région (domicile)", "Code postal (domicile)", "Pays/Région (domicile)", "Rue (autre)", "Rue (autre) 2",
    "Rue (autre) 3", "Ville (autre)", "Dép/Région (autre)", "Code postal (autre)", "Pays/Région (autre)",
    "Téléphone de l'assistant(e)", "Télécopie (bureau)", "Téléphone (bureau)", "Téléphone 2 (bureau)", "Rappel",
    "Téléphone (voiture)", "Téléphone société", "Télécopie (domicile)", "Téléphone (domicile)",
    "Téléphone 2 (domicile)", "RNIS", "Tél. mobile", "Télécopie (autre)", "Téléphone (autre)",
    "Récepteur de radiomessagerie", "Téléphone principal", "Radiotéléphone", "Téléphone TDD/TTY", "Télex", "Compte",
    "Anniversaire de mariage ou fête", "Nom de l'assistant(e)", "Informations facturation", "Anniversaire",
    "B.P. (bureau)", "Catégories", "Enfants", "Serveur d'annuaire", "Adresse de messagerie", "Type de messagerie",
    "Nom complet de l'adresse de messagerie", "Adresse de messagerie 2", "Type de messagerie 2",
    "Nom complet de l'adresse de messagerie 2", "Adresse de messagerie 3", "Type de messagerie 3",
    "Nom complet de l'adresse de messagerie 3", "Sexe", "Code gouvernement", "Passe-temps", "B.P. (domicile)",
    "Initiales", "Disponibilité Internet", "Mots clés", "Langue", "Lieu", "Responsable", "Kilométrage", "Notes",
    "Bureau", "Numéro d'identification de l'organisation", "B.P. (autre)", "Priorité", "Privé", "Profession",
    "Recommandé par", "Critère de diffusion", "Conjoint(e)", "Utilisateur 1", "Utilisateur 2", "Utilisateur 3",
    "Utilisateur 4", "Page Web",
]  # fmt: skip

OUTLOOK_IT = [
    "Titolo", "Nome", "Secondo nome", "Cognome", "Suffisso", "Società", "Reparto", "Posizione", "Via (uff.)",
    "Via (uff.) 2", "Via (uff.) 3", "Città (uff.)", "Provincia (uff.)", "CAP (uff.)", "Paese/area geografica (uff.)",
    "Via (ab.)", "Via (ab.) 2", "Via (ab.) 3", "Città (ab.)", "Provincia (ab.)", "CAP (ab.)",
    "Paese/area geografica (ab.)", "Altra via", "Altra via 2", "Altra via 3", "Altra città", "Altra provincia",
    "Altro CAP", "Altro paese o altra area geografica", "Telefono assistente", "Fax (uff.)", "Telefono (uff.)",
    "Telefono (uff.) 2", "Numero richiamata automatica", "Telefono automobile", "Telefono principale società",
    "Fax abitazione", "Telefono (ab.)", "Telefono (ab.) 2", "ISDN", "Cellulare", "Altro fax", "Altro telefono",
    "Cercapersone", "Telefono principale", "Radiotelefono", "Telefono TTY/TDD", "Telex", "Account", "Anniversario",
    "Nome assistente", "Informazioni di fatturazione", "Compleanno", "Casella postale (uff.)", "Categorie", "Figli",
    "Server di elenchi in linea", "Indirizzo posta elettronica", "Tipo posta elettronica",
    "Nome visualizzato posta elettronica", "Indirizzo posta elettronica 2", "Tipo posta elettronica 2",
    "Nome visualizzato posta elettronica 2", "Indirizzo posta elettronica 3", "Tipo posta elettronica 3",
    "Nome visualizzato posta elettronica 3", "Sesso", "Codice fiscale", "Hobby", "Casella postale (ab.)", "Iniziali",
    "Disponibilità Internet", "Parole chiave", "Lingua", "Ubicazione", "Nome manager", "Indennità chilometrica",
    "Note", "Ufficio", "Numero ID organizzazione", "Altra casella postale", "Priorità", "Privato", "Professione",
    "Presentato da", "Riservatezza", "Coniuge/Partner", "Utente 1", "Utente 2", "Utente 3", "Utente 4", "Pagina Web",
]  # fmt: skip

OUTLOOK_ES = [
    "Tratamiento", "Nombre", "Segundo nombre", "Apellidos", "Sufijo", "Organización", "Departamento", "Puesto",
    "Calle del trabajo", "Calle del trabajo 2", "Calle del trabajo 3", "Ciudad de trabajo",
    "Provincia o estado de trabajo", "Código postal del trabajo", "País o región del trabajo", "Calle del domicilio",
    "Calle del domicilio 2", "Calle del domicilio 3", "Ciudad de residencia", "Provincia o estado de residencia",
    "Código postal de residencia", "País o región de residencia", "Otra calle", "Otra calle 2", "Otra calle 3",
    "Otra ciudad", "Otra provincia o estado", "Otro código postal", "Otro país o región", "Teléfono del ayudante",
    "Fax del trabajo", "Teléfono del trabajo", "Teléfono del trabajo 2", "Devolución de llamada",
    "Teléfono del automóvil", "Número de centralita de la organización", "Fax particular", "Teléfono particular",
    "Teléfono particular 2", "RDSI", "Móvil", "Otro fax", "Otro teléfono", "Localizador", "Teléfono principal",
    "Radioteléfono", "Teléfono TTY/TDD", "Télex", "Aniversario", "Nombre del ayudante", "Cumpleaños",
    "Apartado postal del trabajo", "Categorías", "Hijos", "Servidor de directorio", "Dirección de correo electrónico",
    "Tipo de correo electrónico", "Nombre mostrado del correo electrónico", "Dirección de correo electrónico 2",
    "Tipo de correo electrónico 2", "Nombre mostrado del correo electrónico 2", "Dirección del correo electrónico 3",
    "Tipo de correo electrónico 3", "Nombre mostrado del correo electrónico 3", "Sexo", "Número de id. oficial",
    "Aficiones", "Apartado postal del domicilio", "Iniciales", "Información de facturación", "Palabras clave",
    "Idioma", "Ubicación", "Nombre del administrador", "Kilometraje", "Notas", "Ubicación de la oficina",
    "Número de id. de la organización", "Otro apartado postal", "Prioridad", "Privado", "Profesión", "Remitido por",
    "Confidencialidad", "Cónyuge", "Usuario 1", "Usuario 2", "Usuario 3", "Usuario 4", "Página Web",
]  # fmt: skip

OUTLOOK_PT_BR = [
    "Tratamento", "Nome", "Segundo Nome", "Sobrenome", "Sufixo", "Empresa", "Departamento", "Cargo", "Rua Comercial",
    "Rua Comercial 2", "Rua Comercial 3", "Cidade Comercial", "Estado Comercial", "CEP Comercial",
    "País/Região Comercial", "Rua Residencial", "Rua Residencial 2", "Rua Residencial 3", "Cidade Residencial",
    "Estado Residencial", "CEP Residencial", "País/Região Residencial", "Outra Rua", "Outra Rua 2", "Outra Rua 3",
    "Outra Cidade", "Outro Estado", "Outro CEP", "Outro País/Região", "Telefone do Assistente", "Fax Comercial",
    "Telefone Comercial", "Telefone Comercial 2", "Retorno de Chamada", "Telefone do Carro",
    "Telefone Principal da Empresa", "Fax Residencial", "Telefone Residencial", "Telefone Residencial 2", "ISDN",
    "Telefone Celular", "Outro Fax", "Outro Telefone", "Pager", "Telefone Principal", "Telefone de Rádio",
    "Telefone TTY/TDD", "Telex", "Conta", "Aniversário", "Nome do Assistente", "Informações de Cobrança",
    "Caixa Postal Comercial", "Categorias", "Filhos", "Servidor de Diretório", "Endereço de Email", "Tipo de Email",
    "Nome de Exibição do Email", "Endereço de Email 2", "Tipo de Email 2", "Nome de Exibição do Email 2",
    "Endereço de Email 3", "Tipo de Email 3", "Nome de Exibição do Email 3", "Gênero",
    "Número de Identificação do Governo", "Passatempo", "Caixa Postal Residencial", "Iniciais",
    "Disponibilidade na Internet", "Palavras-chave", "Idioma", "Local", "Nome do Gerente", "Quilometragem",
    "Anotações", "Local do Escritório", "Número de Identificação da Organização", "Outra Caixa Postal", "Prioridade",
    "Particular", "Profissão", "Indicado por", "Sensibilidade", "Cônjuge/Parceiro", "Usuário 1", "Usuário 2",
    "Usuário 3", "Usuário 4", "Página da Web",
]  # fmt: skip

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
                  "Récepteur de radiomessagerie", "Rappel", "Radiotéléphone", "Téléphone TDD/TTY"],
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
             "Telefono principale società": "02 8765 4321", "Note": "Cliente dal 2019, più ordini"},
            {"Nome": "Giulia", "Secondo nome": "Maria", "Cognome": "Rossi", "Cellulare": "+39 333 765 4321"},
            {"Nome": "Carlo", "Cognome": "Bianchi", "Telefono (uff.)": "02 1234 5678"},
        ],
        fields={"first_name": "Nome", "middle_name": "Secondo nome", "last_name": "Cognome", "phone": "Cellulare",
                "tags": "Categorie", "note": "Note"},
        fallbacks=["Telefono principale", "Telefono (uff.)", "Telefono (uff.) 2", "Telefono automobile",
                   "Telefono (ab.)", "Telefono (ab.) 2", "Altro telefono"],
        unmapped=["Telefono principale società", "Telefono assistente", "Fax (uff.)", "Cercapersone",
                  "Numero richiamata automatica", "Radiotelefono", "Nome assistente", "Nome manager"],
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
            {"Nombre": "Begoña", "Apellidos": "Ibáñez Zubiría", "Móvil": "612 34 56 78",
             "Categorías": "Cliente potencial", "Notas": "Llamar por la mañana",
             "Teléfono del ayudante": "91 555 12 12"},
            {"Nombre": "José", "Segundo nombre": "Luis", "Apellidos": "Núñez", "Móvil": "+34 699 12 34 56"},
            {"Nombre": "Íñigo", "Apellidos": "Etxeberria", "Teléfono del trabajo": "91 123 45 67"},
        ],
        fields={"first_name": "Nombre", "middle_name": "Segundo nombre", "last_name": "Apellidos", "phone": "Móvil",
                "tags": "Categorías", "note": "Notas"},
        fallbacks=["Teléfono principal", "Teléfono del trabajo", "Teléfono del trabajo 2", "Teléfono del automóvil",
                   "Teléfono particular", "Teléfono particular 2", "Otro teléfono"],
        unmapped=["Teléfono del ayudante", "Número de centralita de la organización", "Devolución de llamada",
                  "Localizador", "Radioteléfono", "Fax del trabajo", "Nombre del ayudante"],
    ),
    Export(
        name="outlook_pt_br",
        filename="Contatos.CSV",
        headers=OUTLOOK_PT_BR,
        encoding="cp1252",
        delimiter=";",
        region="BR",
        layout="Outlook (Portuguese)",
        rows=[
            {"Nome": "João", "Sobrenome": "Conceição", "Telefone Celular": "(11) 98765-4321", "Categorias": "VIP",
             "Anotações": "Prefere contato à tarde", "Telefone Principal da Empresa": "(11) 3003-3030"},
            {"Nome": "Ana", "Segundo Nome": "Luíza", "Sobrenome": "Araújo", "Telefone Celular": "+55 21 99876-5432"},
            {"Nome": "Márcio", "Sobrenome": "Gonçalves", "Telefone Comercial": "11 2345-6789"},
        ],
        fields={"first_name": "Nome", "middle_name": "Segundo Nome", "last_name": "Sobrenome",
                "phone": "Telefone Celular", "tags": "Categorias", "note": "Anotações"},
        fallbacks=["Telefone Principal", "Telefone Comercial", "Telefone Comercial 2", "Telefone do Carro",
                   "Telefone Residencial", "Telefone Residencial 2", "Outro Telefone"],
        unmapped=["Telefone Principal da Empresa", "Telefone do Assistente", "Telefone de Rádio", "Fax Comercial",
                  "Retorno de Chamada", "Pager", "Particular"],
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
             "Phone Number": "+1 415 839 2047", "MEMBER_RATING": "2", "CC": "US", "REGION": "CA", "TAGS": "Newsletter"},
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
        headers=["Vorname", "Nachname", "Handy"],
        encoding="cp1252",
        delimiter=";",
        region="DE",
        rows=[{"Vorname": "Jörg", "Nachname": "Schäfer", "Handy": "0160 1234567"}],
        fields={"first_name": "Vorname", "last_name": "Nachname", "phone": "Handy"},
    ),
]  # fmt: skip


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
