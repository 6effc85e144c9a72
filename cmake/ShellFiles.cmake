# Writes the shell completions and the man page that `driftguard completions SHELL` and `driftguard man` print,
# where the packages install them (cli/CMakeLists.txt). usage: cmake -DDRIFTGUARD=BINARY -DOUT=DIR -P ShellFiles.cmake
function(driftguard_write file)
  get_filename_component(dir "${OUT}/${file}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  execute_process(COMMAND "${DRIFTGUARD}" ${ARGN} OUTPUT_FILE "${OUT}/${file}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "driftguard ${ARGN} failed (${rc})")
  endif()
endfunction()
driftguard_write(bash-completion/completions/driftguard completions bash)
driftguard_write(zsh/vendor-completions/_driftguard completions zsh)
driftguard_write(fish/vendor_completions.d/driftguard.fish completions fish)
driftguard_write(man/man1/driftguard.1 man)
