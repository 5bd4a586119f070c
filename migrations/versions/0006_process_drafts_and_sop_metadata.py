"""process drafts and SOP metadata

Revision ID: 0006
Revises: 0005
A draft per process for the modeler; the SOP document's metadata, seeded with the SOP
Penyebarluasan Data of Diskominfo Kabupaten Magetan.
"""
from datetime import datetime

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SOP = {
    "nomor_sop": "500.14.4/1112/403.113/2024",
    "tanggal_pembuatan": "2024-11-08",
    "tanggal_revisi": "",
    "tanggal_pengesahan": "2024-11-11",
    "disahkan_oleh": "CAHAYA WIJAYA, S.STP., M.Si",
    "jabatan_pengesah": "Kepala Dinas Komunikasi dan Informatika Kabupaten Magetan",
    "pangkat_pengesah": "Pembina Utama Muda",
    "nip_pengesah": "19760520 199511 1 001",
    "nama_sop": "Penyebarluasan Data Kabupaten Magetan",
    "judul_sop": "PENYEBARLUASAN DATA",
    "pelaksana_order": ["Tim Desain", "Redaktur"],
    "instansi": "PEMERINTAH KABUPATEN MAGETAN",
    "unit": "DINAS KOMUNIKASI DAN INFORMATIKA",
    "dasar_hukum": [
        "PERATURAN PRESIDEN NOMOR 39 TAHUN 2019 TENTANG SATU DATA INDONESIA",
        "PERATURAN BUPATI MAGETAN NOMOR 1 TAHUN 2022 TENTANG SATU DATA MAGETAN",
        "KEPUTUSAN BUPATI MAGETAN NOMOR 188/207/Kept/403.013/2022 TENTANG PEMBENTUKAN FORUM SATU DATA KABUPATEN MAGETAN",
    ],
    "kualifikasi_pelaksana": [
        "Memiliki pengetahuan tentang statistik",
        "Memiliki pengetahuan tentang mengolah data",
        "Memiliki pengetahuan tentang analisa data",
        "Memiliki keahlian teknologi informasi",
    ],
    "keterkaitan": ["SOP Penyelenggaraan Statistik Sektoral"],
    "peralatan": ["Komputer, Laptop", "Internet"],
    "peringatan": [
        "Kegiatan utama dilakukan oleh user yang merupakan Pengelola Data dari Dinas Produsen Data",
        "Keterlambatan proses dapat menghambat pelayanan penyebarluasan Data Kabupaten Magetan",
    ],
    "pencatatan_dan_pendataan": ["Disimpan dalam sistem informasi dan manual"],
}


def upgrade():
    op.create_table(
        "process_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("process_id"),
    )
    meta = op.create_table(
        "process_meta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("process_id"),
    )
    op.bulk_insert(meta, [{"process_id": "penyebarluasan_data", "meta": SOP,
                           "updated_at": datetime(2024, 11, 11)}])


def downgrade():
    op.drop_table("process_meta")
    op.drop_table("process_draft")
