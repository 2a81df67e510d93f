/* Security attributes, as far as mmf's objects use them: who may open a named object, and
 * whether the new handle is inherited.
 *
 * Windows gives an object created with no security attributes a default DACL that lets
 * its creator (and administrators) in; a NULL DACL lets everyone in. mmf maps these to the
 * object file's mode: 0600 and 0666. A real DACL (a list of ACEs) is not interpreted: it
 * is treated like the default, owner-only (docs/deviations.md). */
#include <string.h>

#include "ob/ob.h"

BOOL WINAPI InitializeSecurityDescriptor(PSECURITY_DESCRIPTOR psd, DWORD revision)
{
    if (!psd)
        return mmf__fail(MMF__W(ERROR_NOACCESS)), FALSE;
    if (revision != SECURITY_DESCRIPTOR_REVISION)
        return mmf__fail(MMF__W(ERROR_UNKNOWN_REVISION)), FALSE;
    memset(psd, 0, sizeof(SECURITY_DESCRIPTOR));
    ((SECURITY_DESCRIPTOR *)psd)->Revision = SECURITY_DESCRIPTOR_REVISION;
    return TRUE;
}

BOOL WINAPI SetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR psd, BOOL present, PACL dacl,
                                      BOOL defaulted)
{
    SECURITY_DESCRIPTOR *sd = psd;
    if (!sd)
        return mmf__fail(MMF__W(ERROR_NOACCESS)), FALSE;
    if (sd->Revision != SECURITY_DESCRIPTOR_REVISION)
        return mmf__fail(MMF__W(ERROR_UNKNOWN_REVISION)), FALSE;
    sd->Control &= (WORD) ~(SE_DACL_PRESENT | SE_DACL_DEFAULTED);
    sd->Dacl = NULL;
    if (present) {
        sd->Control |= SE_DACL_PRESENT;
        sd->Dacl = dacl;
        if (defaulted)
            sd->Control |= SE_DACL_DEFAULTED;
    }
    return TRUE;
}

mode_t mmf__sa_mode(const SECURITY_ATTRIBUTES *sa)
{
    const SECURITY_DESCRIPTOR *sd = sa ? sa->lpSecurityDescriptor : NULL;
    if (sd && sd->Revision == SECURITY_DESCRIPTOR_REVISION && (sd->Control & SE_DACL_PRESENT) &&
        !sd->Dacl)
        return 0666;
    return 0600;
}

DWORD mmf__sa_handle_flags(const SECURITY_ATTRIBUTES *sa)
{
    return mmf__inherit_flags(sa && sa->bInheritHandle);
}
