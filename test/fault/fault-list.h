/* Fault-injection tests (native only): system calls fail on purpose through mmf__sys. */
TEST_ENTRY(fault_memfd_exhausted)
TEST_ENTRY(fault_file_growth_disk_full)
TEST_ENTRY(fault_section_lock_fails)
TEST_ENTRY(fault_section_descriptor_fails)
TEST_ENTRY(fault_view_mmap_fails)
TEST_ENTRY(fault_io_interrupted)
TEST_ENTRY(fault_open_denied)
