# include()d by the embedding scripts (EmbedDocs.cmake, EmbedPlatform.cmake): writes `body` to `out` only when it
# differs, so that an unchanged generated file is not recompiled.
function(write_if_changed out body)
  if(EXISTS "${out}")
    file(READ "${out}" old)
  else()
    set(old "")
  endif()
  if(NOT old STREQUAL body)
    file(WRITE "${out}" "${body}")
  endif()
endfunction()
