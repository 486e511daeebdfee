"""The domain: forms, deadlines, digests and the Union's rules. It knows no messenger and no SQL;
it reads and writes through storage's repositories and speaks through messages_vi."""
