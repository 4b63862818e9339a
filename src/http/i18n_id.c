/*
 * Indonesian: the affiliate's pages and the messages they share; the
 * merchant's pages stay English. What is missing falls back to English.
 */
#include "http/i18n.h"

const char *const i18n_msgs_id[MSG__COUNT] = {
	[MSG_LANGUAGE] = "Bahasa",
	[MSG_CHANGE] = "Ganti",
	[MSG_COPY] = "Salin",
	[MSG_COPIED] = "Tersalin",
	[MSG_BACK] = "Kembali",
	[MSG_NEXT] = "Lanjut",
	[MSG_NOTHING_YET] = "Belum ada apa-apa di sini.",
	[MSG_ERR_REQUIRED] = "Harap isi kolom ini.",
	[MSG_ERR_TOO_LONG] = "Terlalu panjang: paling banyak {1} karakter.",
	[MSG_ERR_TEXT] =
		"Isian ini berisi karakter yang tidak dapat digunakan.",
	[MSG_ERR_EMAIL] = "Masukkan alamat email seperti nama@contoh.com.",
	[MSG_ERR_NUMBER] = "Masukkan bilangan bulat dalam rentang {1}.",
	[MSG_ERR_TWICE] = "Kolom ini terkirim lebih dari sekali.",
	[MSG_ERR_CHOICE] = "Pilih salah satu opsi.",
	[MSG_ERR_EMAIL_TAKEN] =
		"Email ini sudah memiliki akun — silakan masuk.",
	[MSG_ERR_PASSWORD_SHORT] = "Gunakan minimal 10 karakter.",
	[MSG_BAD_FORM_TITLE] = "Formulir tidak dapat dibaca",
	[MSG_BAD_FORM_TEXT] = "Ada yang salah pada formulir. Kembali, muat "
			      "ulang halaman, lalu coba lagi.",
	[MSG_CSRF_TITLE] = "Formulir ini sudah kedaluwarsa",
	[MSG_CSRF_TEXT] = "Demi keamanan Anda, formulir tidak dikirim. "
			  "Kembali, muat ulang halaman, lalu coba lagi.",
	[MSG_NOT_FOUND_TITLE] = "Halaman tidak ditemukan",
	[MSG_NOT_FOUND_TEXT] = "Tidak ada apa pun di alamat ini. Periksa "
			       "tautannya, atau kembali.",
	[MSG_ERROR_TITLE] = "Terjadi kesalahan",
	[MSG_ERROR_TEXT] = "Kami tidak dapat menyelesaikannya. Silakan coba "
			   "lagi sebentar lagi.",
	[MSG_TOO_MANY] =
		"Terlalu banyak percobaan. Tunggu 10 menit lalu coba lagi.",
	[MSG_LINK_UNKNOWN_TITLE] = "Tautan ini tidak berfungsi",
	[MSG_LINK_UNKNOWN_TEXT] =
		"Tautan referal yang Anda ikuti tidak dikenal. Mintalah tautan "
		"baru kepada yang membagikannya.",
	[MSG_CLICKS] = "Klik",
	[MSG_ORDERS] = "Pesanan",
	[MSG_CONVERSION] = "Konversi",
	[MSG_SALES] = "Penjualan",
	[MSG_AOV] = "Rata-rata pesanan",
	[MSG_COMMISSIONS] = "Komisi",
	[MSG_EARNINGS] = "Pendapatan",
	[MSG_NETWORK] = "Jaringan",
	[MSG_BALANCE] = "Saldo",
	[MSG_PENDING] = "Tertunda",
	[MSG_APPROVED] = "Disetujui",
	[MSG_PAID] = "Dibayarkan",
	[MSG_COUPON] = "Kupon",
	[MSG_GIFT_CARD] = "Kartu hadiah",
	[MSG_NET_EMAIL] = "Email",
	[MSG_NET_OTHER] = "Situs lain",
	[MSG_NET_DIRECT] = "Langsung",
	[MSG_NET_NONE] = "Kode kupon atau tidak diketahui",
	[MSG_SUMMARY_PERCENT] = "{1}% dari setiap pesanan",
	[MSG_SUMMARY_FIXED] = "{1} untuk setiap pesanan",
	[MSG_SUMMARY_COUPON] = "Kupon senilai {1} untuk setiap pesanan",
	[MSG_SUMMARY_GIFT] = "Kartu hadiah senilai {1} untuk setiap pesanan",
	[MSG_REWARD_PENDING] = "Sedang disiapkan",
	[MSG_REWARD_ISSUED] = "Siap dipakai",
	[MSG_REWARD_DELAYED] = "Tertunda",
	[MSG_REWARD_CANCELLED] = "Dibatalkan",
	[MSG_COL_KIND] = "Jenis",
	[MSG_COL_STATUS] = "Status",
	[MSG_COL_CODE] = "Kode",
	[MSG_COL_DATE] = "Tanggal",
	[MSG_COL_ORDER_VALUE] = "Nilai pesanan",
	[MSG_COL_AMOUNT] = "Jumlah",
	[MSG_COL_VALUE] = "Nilai",
	[MSG_AFF_SIGNUP_TITLE] = "Jadi mitra {1}",
	[MSG_AFF_SIGNUP_INTRO] =
		"Bagikan {1} kepada teman dan pengikut Anda, dan dapatkan "
		"hadiah untuk setiap pesanan mereka.",
	[MSG_AFF_NAME] = "Nama Anda",
	[MSG_AFF_EMAIL] = "Email",
	[MSG_AFF_PASSWORD] = "Kata sandi",
	[MSG_AFF_PASSWORD_HINT] = "Minimal 10 karakter.",
	[MSG_AFF_PROGRAM] = "Program",
	[MSG_AFF_SIGNUP_BUTTON] = "Buat akun saya",
	[MSG_AFF_HAVE_ACCOUNT] = "Sudah punya akun?",
	[MSG_AFF_LOGIN_LINK] = "Masuk",
	[MSG_AFF_NO_PROGRAM] = "Toko ini belum membuka program mitra saat ini.",
	[MSG_AFF_LOGIN_TITLE] = "Masuk",
	[MSG_AFF_LOGIN_BUTTON] = "Masuk",
	[MSG_AFF_LOGIN_FAILED] = "Email atau kata sandi salah.",
	[MSG_AFF_DISABLED] = "Akun ini telah ditutup oleh toko.",
	[MSG_AFF_NO_ACCOUNT] = "Baru di sini?",
	[MSG_AFF_SIGNUP_LINK] = "Buat akun",
	[MSG_AFF_LOGOUT] = "Keluar",
	[MSG_AFF_DASH_TITLE] = "Halaman mitra Anda",
	[MSG_AFF_HELLO] = "Halo, {1}",
	[MSG_AFF_PENDING] = "Akun Anda menunggu persetujuan toko. Tautan Anda "
			    "mulai dihitung setelah disetujui.",
	[MSG_AFF_YOUR_LINK] = "Tautan Anda",
	[MSG_AFF_LINK_HELP] =
		"Bagikan tautan ini. Pesanan yang dibuat setelah seseorang "
		"mengikutinya akan dikreditkan kepada Anda.",
	[MSG_AFF_YOUR_CODES] = "Kode kupon Anda",
	[MSG_AFF_NO_CODES] = "Belum ada kode kupon.",
	[MSG_AFF_SHARE] = "Bagikan",
	[MSG_AFF_SHARE_TEXT] = "Lihat {1}: {2}",
	[MSG_AFF_STATS] = "Hasil Anda",
	[MSG_AFF_PER_NETWORK] = "Per jaringan",
	[MSG_AFF_BALANCE_HELP] = "Pendapatan tertunda disetujui setelah masa "
				 "pengembalian toko berakhir.",
	[MSG_AFF_RECENT] = "Penjualan terbaru",
	[MSG_AFF_REWARDS] = "Hadiah Anda",
};
