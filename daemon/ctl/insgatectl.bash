# bash completion of insgatectl (installed as
# /usr/share/bash-completion/completions/insgatectl).
# The commands and their options are those of daemon/ctl/commands.cpp; a unit
# test (unit_ctl) checks that this file lists every one of them.
# SPDX-License-Identifier: GPL-3.0-or-later

_insgatectl() {
  local cur prev words cword
  _init_completion || return

  local general="--help --version --socket --json --operateur"
  local commands="recherche recherche-vitale verification qualification stats outbox health"
  local traits="--nom --prenoms --sexe --date-naissance --lieu-naissance"
  local ins="--matricule --cle --oid"

  case $prev in
    --socket|-s)
      _filedir
      return ;;
    --assertion-vitale)
      _filedir xml
      return ;;
    --sexe)
      COMPREPLY=($(compgen -W "M F" -- "$cur"))
      return ;;
    --piece)
      COMPREPLY=($(compgen -W "CNI PASSEPORT TITRE_SEJOUR LIVRET_FAMILLE_ACTE" -- "$cur"))
      return ;;
    --etat)
      COMPREPLY=($(compgen -W "pending dead delivered" -- "$cur"))
      return ;;
    --operateur|--nom|--prenoms|--date-naissance|--lieu-naissance|--matricule|--cle|--oid|\
    --nir-ouvrant-droit|--cle-ouvrant-droit|--nir-individu|--cle-individu|--rang-naissance|\
    --grand-regime|--organisme|--code-centre|--verifiee-le|--identifiant-local|--mois|--finess|\
    --limite|--id|--jours)
      return ;;
  esac

  # The command (and the outbox action) are the first words that are not
  # options or option values.
  local i command="" action=""
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      --socket|-s|--operateur|--nom|--sexe|--date-naissance|--lieu-naissance|--matricule|\
      --cle|--oid|--nir-ouvrant-droit|--cle-ouvrant-droit|--nir-individu|--cle-individu|\
      --rang-naissance|--grand-regime|--organisme|--code-centre|--assertion-vitale|--piece|\
      --verifiee-le|--identifiant-local|--mois|--finess|--etat|--limite|--id|--jours)
        ((i++)) ;;
      -*) ;;
      *)
        if [[ -z $command ]]; then command=${words[i]}
        elif [[ $command == outbox && -z $action ]]; then action=${words[i]}
        fi ;;
    esac
  done

  local options
  case $command in
    "")
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$general" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
      fi
      return ;;
    recherche) options="$traits --sans-cache --finess" ;;
    recherche-vitale)
      options="--nir-ouvrant-droit --cle-ouvrant-droit --nir-individu --cle-individu
        --date-naissance --rang-naissance --nom --grand-regime --organisme --code-centre
        --assertion-vitale --sans-cache --finess" ;;
    verification) options="$ins $traits --finess" ;;
    qualification) options="$ins --piece --verifiee-le --identifiant-local --finess" ;;
    stats) options="--mois --finess --csv --xlsx" ;;
    outbox)
      case $action in
        "")
          if [[ $cur != -* ]]; then
            COMPREPLY=($(compgen -W "list retry purge" -- "$cur"))
            return
          fi
          options="--etat --limite" ;;
        list) options="--etat --limite" ;;
        retry) options="--id" ;;
        purge) options="--jours" ;;
      esac ;;
    health) options="" ;;
  esac
  COMPREPLY=($(compgen -W "$options $general" -- "$cur"))
} &&
  complete -F _insgatectl insgatectl
