/* libgit2, loaded when honk first opens a repository or reads its
 * configuration rather than when it starts. Its dependency tree (mbedTLS,
 * libssh2 with OpenSSL, Kerberos, PCRE2, http-parser) costs every process
 * about 3 ms of relocations at start-up, which commands that never touch git
 * (honk apply, --help, --version) would otherwise pay on every run: the
 * `honk apply` series in `make bench` is measured against git apply.
 *
 * Include this instead of <git2.h>: every libgit2 function honk calls is
 * listed below, and its name is redirected to a pointer in hk_git. A call
 * missing from the list fails the link, since honk no longer links libgit2. */
#ifndef HK_GIT_API_H
#define HK_GIT_API_H

#include <git2.h>
#include <git2/sys/repository.h>

#define HK_GIT_FUNCTIONS(X) \
    X(git_blob_create_from_buffer) \
    X(git_blob_free) \
    X(git_blob_lookup) \
    X(git_blob_rawcontent) \
    X(git_blob_rawsize) \
    X(git_branch_create) \
    X(git_branch_is_checked_out) \
    X(git_branch_iterator_free) \
    X(git_branch_iterator_new) \
    X(git_branch_lookup) \
    X(git_branch_next) \
    X(git_buf_dispose) \
    X(git_checkout_options_init) \
    X(git_checkout_tree) \
    X(git_commit_create) \
    X(git_commit_free) \
    X(git_commit_id) \
    X(git_commit_lookup) \
    X(git_commit_tree) \
    X(git_commit_tree_id) \
    X(git_config_add_file_ondisk) \
    X(git_config_find_global) \
    X(git_config_find_system) \
    X(git_config_find_xdg) \
    X(git_config_free) \
    X(git_config_get_string) \
    X(git_config_get_string_buf) \
    X(git_config_iterator_free) \
    X(git_config_iterator_new) \
    X(git_config_new) \
    X(git_config_next) \
    X(git_config_open_ondisk) \
    X(git_config_set_string) \
    X(git_config_snapshot) \
    X(git_credential_ssh_key_from_agent) \
    X(git_credential_username_new) \
    X(git_credential_userpass_plaintext_new) \
    X(git_diff_find_options_init) \
    X(git_diff_find_similar) \
    X(git_diff_free) \
    X(git_diff_num_deltas) \
    X(git_diff_options_init) \
    X(git_diff_tree_to_tree) \
    X(git_diff_tree_to_workdir_with_index) \
    X(git_error_clear) \
    X(git_error_last) \
    X(git_fetch_options_init) \
    X(git_graph_descendant_of) \
    X(git_index_add_all) \
    X(git_index_free) \
    X(git_index_new) \
    X(git_index_read_tree) \
    X(git_index_update_all) \
    X(git_index_write) \
    X(git_index_write_tree) \
    X(git_index_write_tree_to) \
    X(git_libgit2_init) \
    X(git_libgit2_shutdown) \
    X(git_message_prettify) \
    X(git_message_trailer_array_free) \
    X(git_message_trailers) \
    X(git_object_free) \
    X(git_object_id) \
    X(git_object_peel) \
    X(git_odb_hashfile) \
    X(git_oid_cpy) \
    X(git_oid_equal) \
    X(git_oid_fromstr) \
    X(git_oid_fromstrn) \
    X(git_oid_tostr) \
    X(git_oid_tostr_s) \
    X(git_patch_free) \
    X(git_patch_from_diff) \
    X(git_patch_get_delta) \
    X(git_patch_get_hunk) \
    X(git_patch_get_line_in_hunk) \
    X(git_patch_line_stats) \
    X(git_patch_num_hunks) \
    X(git_push_options_init) \
    X(git_reference_create) \
    X(git_reference_create_matching) \
    X(git_reference_delete) \
    X(git_reference_free) \
    X(git_reference_is_branch) \
    X(git_reference_iterator_free) \
    X(git_reference_iterator_glob_new) \
    X(git_reference_lookup) \
    X(git_reference_name) \
    X(git_reference_name_to_id) \
    X(git_reference_next) \
    X(git_reference_next_name) \
    X(git_reference_shorthand) \
    X(git_reference_symbolic_target) \
    X(git_reference_target) \
    X(git_reference_type) \
    X(git_remote_connect) \
    X(git_remote_create_anonymous) \
    X(git_remote_create_options_init) \
    X(git_remote_create_with_opts) \
    X(git_remote_disconnect) \
    X(git_remote_fetch) \
    X(git_remote_free) \
    X(git_remote_lookup) \
    X(git_remote_name) \
    X(git_remote_ls) \
    X(git_remote_upload) \
    X(git_repository_commondir) \
    X(git_repository_config_snapshot) \
    X(git_repository_free) \
    X(git_repository_index) \
    X(git_repository_is_bare) \
    X(git_repository_item_path) \
    X(git_repository_open) \
    X(git_repository_open_ext) \
    X(git_repository_set_index) \
    X(git_repository_workdir) \
    X(git_revparse_ext) \
    X(git_revparse_single) \
    X(git_signature_default) \
    X(git_signature_free) \
    X(git_signature_now) \
    X(git_status_byindex) \
    X(git_status_list_entrycount) \
    X(git_status_list_free) \
    X(git_status_list_new) \
    X(git_status_options_init) \
    X(git_tree_entry_byname) \
    X(git_tree_entry_bypath) \
    X(git_tree_entry_free) \
    X(git_tree_entry_id) \
    X(git_tree_entry_type) \
    X(git_tree_free) \
    X(git_tree_lookup) \
    X(git_treebuilder_free) \
    X(git_treebuilder_insert) \
    X(git_treebuilder_new) \
    X(git_treebuilder_write) \
    X(git_worktree_add) \
    X(git_worktree_add_options_init) \
    X(git_worktree_free) \
    X(git_worktree_lookup) \
    X(git_worktree_path) \
    X(git_worktree_prune) \
    X(git_worktree_prune_options_init)

#define HK_GIT_POINTER(fn) __typeof__(fn) *fn;
struct hk_git_api {
    HK_GIT_FUNCTIONS(HK_GIT_POINTER)
};
#undef HK_GIT_POINTER

extern struct hk_git_api hk_git;

/* Loads libgit2 (once) and calls git_libgit2_init; use it where honk would
 * call git_libgit2_init. A libgit2 that cannot be loaded ends the process
 * with a message, as a missing library would have at start-up. */
void hk_git_init(void);

#ifndef HK_GIT_API_LOADER
#define git_blob_create_from_buffer (hk_git.git_blob_create_from_buffer)
#define git_blob_free (hk_git.git_blob_free)
#define git_blob_lookup (hk_git.git_blob_lookup)
#define git_blob_rawcontent (hk_git.git_blob_rawcontent)
#define git_blob_rawsize (hk_git.git_blob_rawsize)
#define git_branch_create (hk_git.git_branch_create)
#define git_branch_is_checked_out (hk_git.git_branch_is_checked_out)
#define git_branch_iterator_free (hk_git.git_branch_iterator_free)
#define git_branch_iterator_new (hk_git.git_branch_iterator_new)
#define git_branch_lookup (hk_git.git_branch_lookup)
#define git_branch_next (hk_git.git_branch_next)
#define git_buf_dispose (hk_git.git_buf_dispose)
#define git_checkout_options_init (hk_git.git_checkout_options_init)
#define git_checkout_tree (hk_git.git_checkout_tree)
#define git_commit_create (hk_git.git_commit_create)
#define git_commit_free (hk_git.git_commit_free)
#define git_commit_id (hk_git.git_commit_id)
#define git_commit_lookup (hk_git.git_commit_lookup)
#define git_commit_tree (hk_git.git_commit_tree)
#define git_commit_tree_id (hk_git.git_commit_tree_id)
#define git_config_add_file_ondisk (hk_git.git_config_add_file_ondisk)
#define git_config_find_global (hk_git.git_config_find_global)
#define git_config_find_system (hk_git.git_config_find_system)
#define git_config_find_xdg (hk_git.git_config_find_xdg)
#define git_config_free (hk_git.git_config_free)
#define git_config_get_string (hk_git.git_config_get_string)
#define git_config_get_string_buf (hk_git.git_config_get_string_buf)
#define git_config_iterator_free (hk_git.git_config_iterator_free)
#define git_config_iterator_new (hk_git.git_config_iterator_new)
#define git_config_new (hk_git.git_config_new)
#define git_config_next (hk_git.git_config_next)
#define git_config_open_ondisk (hk_git.git_config_open_ondisk)
#define git_config_set_string (hk_git.git_config_set_string)
#define git_config_snapshot (hk_git.git_config_snapshot)
#define git_credential_ssh_key_from_agent (hk_git.git_credential_ssh_key_from_agent)
#define git_credential_username_new (hk_git.git_credential_username_new)
#define git_credential_userpass_plaintext_new (hk_git.git_credential_userpass_plaintext_new)
#define git_diff_find_options_init (hk_git.git_diff_find_options_init)
#define git_diff_find_similar (hk_git.git_diff_find_similar)
#define git_diff_free (hk_git.git_diff_free)
#define git_diff_num_deltas (hk_git.git_diff_num_deltas)
#define git_diff_options_init (hk_git.git_diff_options_init)
#define git_diff_tree_to_tree (hk_git.git_diff_tree_to_tree)
#define git_diff_tree_to_workdir_with_index (hk_git.git_diff_tree_to_workdir_with_index)
#define git_error_clear (hk_git.git_error_clear)
#define git_error_last (hk_git.git_error_last)
#define git_fetch_options_init (hk_git.git_fetch_options_init)
#define git_graph_descendant_of (hk_git.git_graph_descendant_of)
#define git_index_add_all (hk_git.git_index_add_all)
#define git_index_free (hk_git.git_index_free)
#define git_index_new (hk_git.git_index_new)
#define git_index_read_tree (hk_git.git_index_read_tree)
#define git_index_update_all (hk_git.git_index_update_all)
#define git_index_write (hk_git.git_index_write)
#define git_index_write_tree (hk_git.git_index_write_tree)
#define git_index_write_tree_to (hk_git.git_index_write_tree_to)
#define git_libgit2_init (hk_git.git_libgit2_init)
#define git_libgit2_shutdown (hk_git.git_libgit2_shutdown)
#define git_message_prettify (hk_git.git_message_prettify)
#define git_message_trailer_array_free (hk_git.git_message_trailer_array_free)
#define git_message_trailers (hk_git.git_message_trailers)
#define git_object_free (hk_git.git_object_free)
#define git_object_id (hk_git.git_object_id)
#define git_object_peel (hk_git.git_object_peel)
#define git_odb_hashfile (hk_git.git_odb_hashfile)
#define git_oid_cpy (hk_git.git_oid_cpy)
#define git_oid_equal (hk_git.git_oid_equal)
#define git_oid_fromstr (hk_git.git_oid_fromstr)
#define git_oid_fromstrn (hk_git.git_oid_fromstrn)
#define git_oid_tostr (hk_git.git_oid_tostr)
#define git_oid_tostr_s (hk_git.git_oid_tostr_s)
#define git_patch_free (hk_git.git_patch_free)
#define git_patch_from_diff (hk_git.git_patch_from_diff)
#define git_patch_get_delta (hk_git.git_patch_get_delta)
#define git_patch_get_hunk (hk_git.git_patch_get_hunk)
#define git_patch_get_line_in_hunk (hk_git.git_patch_get_line_in_hunk)
#define git_patch_line_stats (hk_git.git_patch_line_stats)
#define git_patch_num_hunks (hk_git.git_patch_num_hunks)
#define git_push_options_init (hk_git.git_push_options_init)
#define git_reference_create (hk_git.git_reference_create)
#define git_reference_create_matching (hk_git.git_reference_create_matching)
#define git_reference_delete (hk_git.git_reference_delete)
#define git_reference_free (hk_git.git_reference_free)
#define git_reference_is_branch (hk_git.git_reference_is_branch)
#define git_reference_iterator_free (hk_git.git_reference_iterator_free)
#define git_reference_iterator_glob_new (hk_git.git_reference_iterator_glob_new)
#define git_reference_lookup (hk_git.git_reference_lookup)
#define git_reference_name (hk_git.git_reference_name)
#define git_reference_name_to_id (hk_git.git_reference_name_to_id)
#define git_reference_next (hk_git.git_reference_next)
#define git_reference_next_name (hk_git.git_reference_next_name)
#define git_reference_shorthand (hk_git.git_reference_shorthand)
#define git_reference_symbolic_target (hk_git.git_reference_symbolic_target)
#define git_reference_target (hk_git.git_reference_target)
#define git_reference_type (hk_git.git_reference_type)
#define git_remote_connect (hk_git.git_remote_connect)
#define git_remote_create_anonymous (hk_git.git_remote_create_anonymous)
#define git_remote_create_options_init (hk_git.git_remote_create_options_init)
#define git_remote_create_with_opts (hk_git.git_remote_create_with_opts)
#define git_remote_disconnect (hk_git.git_remote_disconnect)
#define git_remote_fetch (hk_git.git_remote_fetch)
#define git_remote_free (hk_git.git_remote_free)
#define git_remote_lookup (hk_git.git_remote_lookup)
#define git_remote_name (hk_git.git_remote_name)
#define git_remote_ls (hk_git.git_remote_ls)
#define git_remote_upload (hk_git.git_remote_upload)
#define git_repository_commondir (hk_git.git_repository_commondir)
#define git_repository_config_snapshot (hk_git.git_repository_config_snapshot)
#define git_repository_free (hk_git.git_repository_free)
#define git_repository_index (hk_git.git_repository_index)
#define git_repository_is_bare (hk_git.git_repository_is_bare)
#define git_repository_item_path (hk_git.git_repository_item_path)
#define git_repository_open (hk_git.git_repository_open)
#define git_repository_open_ext (hk_git.git_repository_open_ext)
#define git_repository_set_index (hk_git.git_repository_set_index)
#define git_repository_workdir (hk_git.git_repository_workdir)
#define git_revparse_ext (hk_git.git_revparse_ext)
#define git_revparse_single (hk_git.git_revparse_single)
#define git_signature_default (hk_git.git_signature_default)
#define git_signature_free (hk_git.git_signature_free)
#define git_signature_now (hk_git.git_signature_now)
#define git_status_byindex (hk_git.git_status_byindex)
#define git_status_list_entrycount (hk_git.git_status_list_entrycount)
#define git_status_list_free (hk_git.git_status_list_free)
#define git_status_list_new (hk_git.git_status_list_new)
#define git_status_options_init (hk_git.git_status_options_init)
#define git_tree_entry_byname (hk_git.git_tree_entry_byname)
#define git_tree_entry_bypath (hk_git.git_tree_entry_bypath)
#define git_tree_entry_free (hk_git.git_tree_entry_free)
#define git_tree_entry_id (hk_git.git_tree_entry_id)
#define git_tree_entry_type (hk_git.git_tree_entry_type)
#define git_tree_free (hk_git.git_tree_free)
#define git_tree_lookup (hk_git.git_tree_lookup)
#define git_treebuilder_free (hk_git.git_treebuilder_free)
#define git_treebuilder_insert (hk_git.git_treebuilder_insert)
#define git_treebuilder_new (hk_git.git_treebuilder_new)
#define git_treebuilder_write (hk_git.git_treebuilder_write)
#define git_worktree_add (hk_git.git_worktree_add)
#define git_worktree_add_options_init (hk_git.git_worktree_add_options_init)
#define git_worktree_free (hk_git.git_worktree_free)
#define git_worktree_lookup (hk_git.git_worktree_lookup)
#define git_worktree_path (hk_git.git_worktree_path)
#define git_worktree_prune (hk_git.git_worktree_prune)
#define git_worktree_prune_options_init (hk_git.git_worktree_prune_options_init)
#endif

#endif
