"""the OPDs of Kabupaten Magetan

Revision ID: 0002
Revises: 0001
The initial registry of regional agencies; admins maintain it from here on.
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPDS = [
    ("setda", "Sekretariat Daerah"),
    ("setwan", "Sekretariat DPRD"),
    ("inspektorat", "Inspektorat"),
    ("bappeda", "Badan Perencanaan Pembangunan Daerah"),
    ("bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("bapenda", "Badan Pendapatan Daerah"),
    ("bkpsdm", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"),
    ("bpbd", "Badan Penanggulangan Bencana Daerah"),
    ("bakesbangpol", "Badan Kesatuan Bangsa dan Politik"),
    ("diskominfo", "Dinas Komunikasi dan Informatika"),
    ("dikpora", "Dinas Pendidikan, Pemuda dan Olahraga"),
    ("dinkes", "Dinas Kesehatan"),
    ("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("disperkim", "Dinas Perumahan Rakyat dan Kawasan Permukiman"),
    ("satpolpp", "Satuan Polisi Pamong Praja"),
    ("dinsos", "Dinas Sosial"),
    ("dispendukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("dpmd", "Dinas Pemberdayaan Masyarakat dan Desa"),
    ("dppkb", "Dinas Pengendalian Penduduk dan Keluarga Berencana"),
    ("dishub", "Dinas Perhubungan"),
    ("dlh", "Dinas Lingkungan Hidup"),
    ("dpmptsp", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("disnaker", "Dinas Tenaga Kerja"),
    ("diskopum", "Dinas Koperasi dan Usaha Mikro"),
    ("disperindag", "Dinas Perdagangan dan Perindustrian"),
    ("disparbud", "Dinas Pariwisata dan Kebudayaan"),
    ("dispertan", "Dinas Pertanian dan Ketahanan Pangan"),
    ("disnakkan", "Dinas Peternakan dan Perikanan"),
    ("dispusip", "Dinas Perpustakaan dan Kearsipan"),
    ("rsud", "RSUD dr. Sayidiman Magetan"),
]

opd = sa.table("opd", sa.column("code", sa.String), sa.column("name", sa.String))


def upgrade():
    op.bulk_insert(opd, [{"code": code, "name": name} for code, name in OPDS])


def downgrade():
    op.execute(opd.delete().where(opd.c.code.in_([code for code, _ in OPDS])))
